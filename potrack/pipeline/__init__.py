"""The pipeline's stages, one module each, and the runner that chains them."""
