"""Small helpers shared by the provider's modules."""
