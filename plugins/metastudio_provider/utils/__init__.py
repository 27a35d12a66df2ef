"""Small helpers shared by the provider's modules: options, time, files, waiting."""
