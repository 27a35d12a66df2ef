"""Small helpers shared across the provider."""
