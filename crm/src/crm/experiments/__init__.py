"""Experiments: variants, holdouts, their statistics, and the storefront that makes them measurable."""
