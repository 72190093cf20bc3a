"""Tests of rslib.figures, one module per module."""
