"""End-to-end tests of the demo in a real browser (headless Chromium)."""
