"""In-process stores: the embedded defaults (`memory://`) and the reference for contract tests."""
