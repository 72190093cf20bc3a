"""Tests of rslib.bounds, one module per module."""
