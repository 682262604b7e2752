"""The reusable code of Foundations of LLMs, each definition written once, on the
page that teaches it."""
