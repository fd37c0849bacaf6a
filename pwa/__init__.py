"""fahuo web: the JSON API under /api/ and the staff PWA."""
