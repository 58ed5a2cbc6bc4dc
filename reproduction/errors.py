"""User-facing errors: a bad input becomes one clear message and exit status 2, never a traceback."""


class UserError(Exception):
    """A mistake the user can fix: the message says what was wrong and what to do."""

    exit_code = 2


class NumericalFault(UserError):
    """A NaN or Inf appeared in a loss, reward or NLL; the run stops, keeping its last good checkpoint."""

    exit_code = 3
