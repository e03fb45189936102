"""Re-signs the deposit-wallet vectors with py-clob-client-v2 and checks they match what
clob-client-v2 wrote (generate.mjs): both official clients must build the same ERC-7739 bytes.

    python3 -m venv .venv && .venv/bin/pip install py-clob-client-v2==1.2.1
    .venv/bin/python check_python.py

Not run by CI: the committed JSON is the contract (components/core/tests/order_vectors.rs).
"""

import json
import pathlib

from py_clob_client_v2.order_utils.exchange_order_builder_v2 import ExchangeOrderBuilderV2
from py_clob_client_v2.order_utils.model.order_data_v2 import OrderDataV2
from py_clob_client_v2.order_utils.model.side import Side
from py_clob_client_v2.order_utils.model.signature_type_v2 import SignatureTypeV2
from py_clob_client_v2.signer import Signer

VECTORS = pathlib.Path(__file__).parent / "../../components/core/tests/vectors/deposit_wallet.json"
DOMAIN_VERSION = {"v2": "2", "v2_neg_risk": "2", "v3": "3"}

vectors = json.loads(VECTORS.read_text())
signer = Signer(vectors["private_key"], 137)
for v in vectors["orders"]:
    o = v["order"]
    builder = ExchangeOrderBuilderV2(
        v["verifying_contract"], v["chain_id"], signer, lambda: o["salt"], DOMAIN_VERSION[v["exchange"]]
    )
    order = builder.build_signed_order(
        OrderDataV2(
            maker=o["maker"],
            signer=o["signer"],
            tokenId=o["tokenId"],
            makerAmount=o["makerAmount"],
            takerAmount=o["takerAmount"],
            side=Side.BUY if o["side"] == "BUY" else Side.SELL,
            signatureType=SignatureTypeV2.POLY_1271,
            timestamp=o["timestamp"],
            metadata=o["metadata"],
            builder=o["builder"],
            expiration=o["expiration"],
        )
    )
    assert order.signature == v["signature"], (v["exchange"], order.signature, v["signature"])
print(f"py-clob-client-v2 builds the same {len(vectors['orders'])} deposit-wallet signatures")
