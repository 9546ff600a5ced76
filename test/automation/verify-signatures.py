"""Checks webhook signatures the way an MLflow receiver does, with MLflow's own signing code.

Reads a JSON list of {secret, delivery_id, timestamp, body, signature} on stdin and prints a
JSON list of booleans: whether each signature equals what mlflow.webhooks.delivery computes,
compared in constant time as MLflow's documentation's receiver does.
"""

import hmac
import json
import sys

from mlflow.webhooks.delivery import _generate_hmac_signature

deliveries = json.load(sys.stdin)
print(
    json.dumps(
        [
            d["signature"] is not None
            and hmac.compare_digest(
                d["signature"],
                _generate_hmac_signature(d["secret"], d["delivery_id"], d["timestamp"], d["body"]),
            )
            for d in deliveries
        ]
    )
)
