"""The data and what it means: schema, layers, checks between them, time filters, the line's status, casualties."""
