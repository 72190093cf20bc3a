"""Tests of rslib.zoo, one module per module."""
