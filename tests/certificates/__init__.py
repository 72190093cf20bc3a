"""Tests of rslib.certificates, one module per module."""
