"""Storefronts and marketplaces: orders taken in from them, and their orders' shipments told back to them."""
