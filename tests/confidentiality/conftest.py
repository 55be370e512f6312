from tests.api.conftest import api_as, token_for

__all__ = ["api_as", "token_for"]
