"""The PyJWT adapter: every error of PyJWT or a claim maps to one reason."""

import jwt
import pytest

from dmr_jwt._internal.pyjwt import _reason_for
from dmr_jwt.errors import Reason

# `_reason_for`: PyJWT's errors and claim conversion errors to reasons.


@pytest.mark.parametrize(
    ('error', 'reason'),
    [
        pytest.param(
            jwt.InvalidSignatureError(),
            Reason.INVALID_SIGNATURE,
            id='InvalidSignatureError',
        ),
        pytest.param(
            jwt.ExpiredSignatureError(),
            Reason.EXPIRED,
            id='ExpiredSignatureError',
        ),
        pytest.param(
            jwt.ImmatureSignatureError(),
            Reason.NOT_YET_VALID,
            id='ImmatureSignatureError',
        ),
        pytest.param(
            jwt.InvalidAudienceError(),
            Reason.INVALID_AUDIENCE,
            id='InvalidAudienceError',
        ),
        pytest.param(
            jwt.InvalidIssuerError(),
            Reason.INVALID_ISSUER,
            id='InvalidIssuerError',
        ),
        pytest.param(
            jwt.MissingRequiredClaimError('iss'),
            Reason.MISSING_CLAIM,
            id='MissingRequiredClaimError',
        ),
        pytest.param(
            jwt.InvalidAlgorithmError(),
            Reason.ALGORITHM_NOT_ALLOWED,
            id='InvalidAlgorithmError',
        ),
        pytest.param(
            jwt.InvalidKeyError(),
            Reason.ALGORITHM_NOT_ALLOWED,
            id='InvalidKeyError',
        ),
        pytest.param(
            jwt.InvalidIssuedAtError(),
            Reason.INVALID_CLAIMS,
            id='InvalidIssuedAtError',
        ),
        pytest.param(
            jwt.exceptions.InvalidSubjectError(),
            Reason.INVALID_CLAIMS,
            id='InvalidSubjectError',
        ),
        pytest.param(
            jwt.exceptions.InvalidJTIError(),
            Reason.INVALID_CLAIMS,
            id='InvalidJTIError',
        ),
        pytest.param(jwt.DecodeError(), Reason.MALFORMED, id='DecodeError'),
        pytest.param(
            jwt.InvalidTokenError(),
            Reason.MALFORMED,
            id='InvalidTokenError',
        ),
        pytest.param(RecursionError(), Reason.MALFORMED, id='RecursionError'),
        pytest.param(
            OverflowError(),
            Reason.INVALID_CLAIMS,
            id='OverflowError',
        ),
        pytest.param(ValueError(), Reason.INVALID_CLAIMS, id='ValueError'),
        pytest.param(TypeError(), Reason.INVALID_CLAIMS, id='TypeError'),
        pytest.param(OSError(), Reason.INVALID_CLAIMS, id='OSError'),
    ],
)
def test_reason_for(error: BaseException, reason: Reason) -> None:
    assert _reason_for(error) is reason


def test_reason_for_prefers_the_most_specific_class() -> None:
    # A subclass of PyJWT's signature error is still a signature error,
    # although it also is a `DecodeError` (MALFORMED).
    class CustomSignatureError(jwt.InvalidSignatureError):
        pass

    assert isinstance(CustomSignatureError(), jwt.DecodeError)
    assert _reason_for(CustomSignatureError()) is Reason.INVALID_SIGNATURE
