"""hds.Error: the suite's one-line errors (the same text as the command line prints after 'hds: error:')."""
try:
    from ._hds import Error  # the engine's own, so that one class covers both sides
except ImportError:  # the reader works without the compiled engine
    class Error(ValueError):
        """A result file or an input that hds refuses, with a one-line reason."""
