"""Pure domain values and functions. Imports nothing from the rest of the gateway."""
