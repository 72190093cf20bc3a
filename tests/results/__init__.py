"""Tests of rslib.results, one module per module."""
