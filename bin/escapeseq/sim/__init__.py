"""Simulator internals: genome, mixture model, patient designs, read generation."""
