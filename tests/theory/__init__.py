"""Tests of rslib.theory, one module per module."""
