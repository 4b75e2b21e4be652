"""Neural-network operations (stub: to be written)."""
