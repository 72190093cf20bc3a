"""Tests of rslib.cli, one module per command and module."""
