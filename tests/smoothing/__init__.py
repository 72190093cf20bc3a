"""Tests of rslib.smoothing, one module per module."""
