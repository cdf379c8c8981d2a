"""Response fixtures in each service's documented format, and a local server replaying them."""
