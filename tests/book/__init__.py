"""Tests of rslib.book."""
