// Writes the Polymarket CLOB V2 reference vectors that components/core/tests/order_vectors.rs
// checks mirror-core's `orders` module against. Every expected value comes from Polymarket's own
// TypeScript clients (or, for the Safe message, ethers' EIP-712 encoder), never from Mirror's code.
//
//   cd tools/vectors && npm install && node generate.mjs
//
// Not run by CI: the committed JSON is the contract; rerun only to move to a newer client.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Wallet } from "@ethersproject/wallet";
import { _TypedDataEncoder } from "@ethersproject/hash";
import { defaultAbiCoder } from "@ethersproject/abi";
import { createL1Headers, createL2Headers, orderToJsonV2, getContractConfig } from "@polymarket/clob-client-v2";
import relayer from "@polymarket/builder-relayer-client";
import { createRequire } from "node:module";

// The package's export map hides the helpers the client calls internally; import them by path so
// the vectors come from the very functions `createOrder` / `createMarketOrder` run.
const dist = (p) => import(new URL(`./node_modules/@polymarket/clob-client-v2/dist/${p}`, import.meta.url));
const { buildOrderCreationArgs } = await dist("order-builder/helpers/buildOrderCreationArgs.js");
const { buildMarketOrderCreationArgs } = await dist("order-builder/helpers/buildMarketOrderCreationArgs.js");
const { ROUNDING_CONFIG } = await dist("order-builder/helpers/roundingConfig.js");
const { priceValid, roundNormal } = await dist("utilities.js");
const { ExchangeOrderBuilderV2, ExchangeOrderBuilderV3 } = await dist("order-utils/exchangeOrderBuilderV2.js");
const { buildClobEip712Signature } = await dist("signing/eip712.js");
const { buildPolyHmacSignature } = await dist("signing/hmac.js");

const OUT = new URL("../../components/core/tests/vectors/", import.meta.url);
mkdirSync(OUT, { recursive: true });
const write = (name, value) => writeFileSync(new URL(name, OUT), JSON.stringify(value, null, 2) + "\n");
const version = (pkg) => JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url))).version;
const source = {
  "@polymarket/clob-client-v2": version("@polymarket/clob-client-v2"),
  "@polymarket/builder-relayer-client": version("@polymarket/builder-relayer-client"),
  "@ethersproject/hash": version("@ethersproject/hash"),
};

// Anvil's first development key: public, never funded on Polygon.
const PRIVATE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const wallet = new Wallet(PRIVATE_KEY);
const CHAIN_ID = 137;
const TOKEN_ID = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
const SAFE_FACTORY = "0xaacFeEa03eb1561C4e67d661e40682Bd20E3541b";

// (a) amounts ------------------------------------------------------------------------------------
// Prices on each tick's grid: the extremes, values whose float products carry artifacts, and
// ordinary ones. Sizes include values that already fit, ones floored to 2 dp, and large ones.
const PRICES = {
  "0.1": ["0.1", "0.2", "0.3", "0.5", "0.7", "0.9"],
  "0.01": ["0.01", "0.07", "0.29", "0.33", "0.5", "0.57", "0.99"],
  "0.001": ["0.001", "0.057", "0.333", "0.501", "0.999"],
  "0.0001": ["0.0001", "0.0057", "0.3333", "0.5001", "0.9999"],
  "0.005": ["0.005", "0.015", "0.335", "0.5", "0.995"],
  "0.0025": ["0.0025", "0.0175", "0.3325", "0.5", "0.9975"],
};
const SIZES = ["5", "0.29", "1.1", "3.33", "7.77", "10", "12.345", "19.99", "100.555", "1234.56", "99999.99"];
const MARKET_AMOUNTS = ["1", "5", "7", "10", "10.99", "33.333", "100", "123.45", "0.5", "2500.01"];

const amounts = [];
const signerAddress = wallet.address;
for (const [tick, prices] of Object.entries(PRICES)) {
  const round = ROUNDING_CONFIG[tick];
  for (const price of prices) {
    const p = parseFloat(price);
    if (!priceValid(p, tick)) throw new Error(`fixture price ${price} is invalid for tick ${tick}`);
    for (const side of ["BUY", "SELL"]) {
      for (const size of SIZES) {
        // createOrder: range check, then roundNormal (a no-op for prices on the grid).
        const userOrder = { tokenID: TOKEN_ID, price: roundNormal(p, round.price), size: parseFloat(size), side };
        const args = await buildOrderCreationArgs(signerAddress, signerAddress, 0, userOrder, round, 2);
        amounts.push({ kind: "limit", side, tick, price, size, maker_amount: args.makerAmount, taker_amount: args.takerAmount });
      }
      for (const amount of MARKET_AMOUNTS) {
        const userOrder = { tokenID: TOKEN_ID, price: p, amount: parseFloat(amount), side };
        const args = await buildMarketOrderCreationArgs(signerAddress, signerAddress, 0, userOrder, round, 2);
        amounts.push({ kind: "market", side, tick, price, amount, maker_amount: args.makerAmount, taker_amount: args.takerAmount });
      }
    }
  }
}
const unusable = amounts.filter((v) => v.maker_amount === "0" || v.taker_amount === "0");
if (unusable.length) throw new Error(`fixtures produce zero amounts: ${JSON.stringify(unusable[0])}`);
// One vector a line: the file stays reviewable at well over a thousand cases.
writeFileSync(new URL("amounts.json", OUT), `{"source": ${JSON.stringify(source)},\n"rounding_config": ${JSON.stringify(ROUNDING_CONFIG)},\n"vectors": [\n${amounts.map((v) => JSON.stringify(v)).join(",\n")}\n]}\n`);

// (b) + (e) signed orders and their POST /order bodies -----------------------------------------
const contracts = getContractConfig(CHAIN_ID);
const exchanges = [
  { exchange: "v2", verifying_contract: contracts.exchangeV2, Builder: ExchangeOrderBuilderV2 },
  { exchange: "v2_neg_risk", verifying_contract: contracts.negRiskExchangeV2, Builder: ExchangeOrderBuilderV2 },
  { exchange: "v3", verifying_contract: contracts.exchangeV3, Builder: ExchangeOrderBuilderV3 },
];
const safe = relayer.deriveSafe(wallet.address, SAFE_FACTORY);
const BUILDER_CODE = "0x" + "ab".repeat(32);
const METADATA = "0x" + "00".repeat(31) + "07";
const templates = [
  { signatureType: 0, maker: wallet.address, side: "BUY", makerAmount: "5700000", takerAmount: "10000000", expiration: "0",
    metadata: undefined, builder: undefined, orderType: "GTC", postOnly: false, deferExec: false },
  { signatureType: 2, maker: safe, side: "SELL", makerAmount: "12340000", takerAmount: "4071999", expiration: "1767225600",
    metadata: METADATA, builder: BUILDER_CODE, orderType: "GTD", postOnly: true, deferExec: true },
  { signatureType: 0, maker: wallet.address, side: "SELL", makerAmount: "1000000", takerAmount: "990000", expiration: "0",
    metadata: undefined, builder: BUILDER_CODE, orderType: "FAK", postOnly: false, deferExec: false },
  { signatureType: 2, maker: safe, side: "BUY", makerAmount: "100000000", takerAmount: "200000000", expiration: "0",
    metadata: undefined, builder: undefined, orderType: "FOK", postOnly: false, deferExec: false },
];
const OWNER_API_KEY = "5d1b2c3e-0000-4000-8000-00000000abcd";
const orders = [];
let n = 0;
for (const { exchange, verifying_contract, Builder } of exchanges) {
  for (const t of templates) {
    n += 1;
    const salt = String(1_000_000_007 * n);
    const timestamp = String(1_767_000_000_000 + n);
    const builder = new Builder(verifying_contract, CHAIN_ID, wallet, () => salt);
    const order = await builder.buildOrder({
      maker: t.maker, signer: wallet.address, tokenId: TOKEN_ID, makerAmount: t.makerAmount, takerAmount: t.takerAmount,
      side: t.side, signatureType: t.signatureType, timestamp, metadata: t.metadata, builder: t.builder, expiration: t.expiration,
    });
    const typedData = builder.buildOrderTypedData(order);
    const hash = builder.buildOrderHash(structuredClone(typedData));
    const signature = await builder.buildOrderSignature(structuredClone(typedData));
    const body = orderToJsonV2({ ...order, signature }, OWNER_API_KEY, t.orderType, t.postOnly, t.deferExec);
    orders.push({
      exchange, chain_id: CHAIN_ID, verifying_contract, order: { ...order }, hash, signature,
      post: { owner: OWNER_API_KEY, order_type: t.orderType, post_only: t.postOnly, defer_exec: t.deferExec, body },
    });
  }
}
// POLY_1271: the client makes the maker contract the signer; the digest is what the maker's
// isValidSignature is asked about, so only the hash is a vector here.
const poly1271 = [];
for (const { exchange, verifying_contract, Builder } of exchanges) {
  const builder = new Builder(verifying_contract, CHAIN_ID, wallet, () => "42");
  const order = await builder.buildOrder({
    maker: safe, signer: safe, tokenId: TOKEN_ID, makerAmount: "5000000", takerAmount: "10000000", side: "BUY",
    signatureType: 3, timestamp: "1767000000999", expiration: "0",
  });
  poly1271.push({ exchange, chain_id: CHAIN_ID, verifying_contract, order: { ...order }, hash: builder.buildOrderHash(builder.buildOrderTypedData(order)) });
}
write("orders.json", { source, private_key: PRIVATE_KEY, address: wallet.address, orders, poly_1271_hashes: poly1271 });

// Deposit wallets: POLY_1271 with signer = maker = the wallet, signed by its owner as ERC-7739
// `TypedDataSign` (the client's `buildOrderSignature` for type 3). py-clob-client-v2 builds the
// same bytes: check_python.py re-signs these with it.
const DEPOSIT_WALLET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const depositWallet = [];
for (const { exchange, verifying_contract, Builder } of exchanges) {
  for (const [i, t] of templates.slice(0, 2).entries()) {
    const salt = String(2_000_000_011 * (i + 1));
    const builder = new Builder(verifying_contract, CHAIN_ID, wallet, () => salt);
    const order = await builder.buildOrder({
      maker: DEPOSIT_WALLET, signer: DEPOSIT_WALLET, tokenId: TOKEN_ID, makerAmount: t.makerAmount,
      takerAmount: t.takerAmount, side: t.side, signatureType: 3, timestamp: String(1_767_100_000_000 + i),
      metadata: t.metadata, builder: t.builder, expiration: t.expiration,
    });
    const typedData = builder.buildOrderTypedData(order);
    const hash = builder.buildOrderHash(structuredClone(typedData));
    const signature = await builder.buildOrderSignature(structuredClone(typedData));
    const body = orderToJsonV2({ ...order, signature }, OWNER_API_KEY, t.orderType, t.postOnly, t.deferExec);
    depositWallet.push({ exchange, chain_id: CHAIN_ID, verifying_contract, order: { ...order }, hash, signature, post: { body } });
  }
}
write("deposit_wallet.json", { source, private_key: PRIVATE_KEY, owner: wallet.address, wallet: DEPOSIT_WALLET, orders: depositWallet });

// (c) L1 ClobAuth ----------------------------------------------------------------------------------
const clobAuth = [];
for (const [timestamp, nonce, chainId] of [[1767000000, 0, 137], [1767000123, 7, 137], [1700000000, 0, 80002]]) {
  const signature = await buildClobEip712Signature(wallet, chainId, timestamp, nonce);
  const hash = _TypedDataEncoder.hash(
    { name: "ClobAuthDomain", version: "1", chainId },
    { ClobAuth: [{ name: "address", type: "address" }, { name: "timestamp", type: "string" }, { name: "nonce", type: "uint256" }, { name: "message", type: "string" }] },
    { address: wallet.address, timestamp: `${timestamp}`, nonce, message: "This message attests that I control the given wallet" },
  );
  const headers = await createL1Headers(wallet, chainId, nonce, timestamp);
  clobAuth.push({ chain_id: chainId, timestamp, nonce, hash, signature, headers });
}
write("clob_auth.json", { source, private_key: PRIVATE_KEY, address: wallet.address, vectors: clobAuth });

// (d) L2 HMAC ----------------------------------------------------------------------------------------
// Secrets as the CLOB issues them (base64url, padded) and one with `-`/`_` to pin the alphabet.
const creds = { key: OWNER_API_KEY, secret: "dGhpcyBpcyBhIDMyIGJ5dGUgc2VjcmV0IGtleSEhISE=", passphrase: "correct-horse-battery" };
const hmacCases = [
  { secret: creds.secret, timestamp: 1767000000, method: "POST", request_path: "/order", body: JSON.stringify(orders[0].post.body) },
  { secret: creds.secret, timestamp: 1767000001, method: "GET", request_path: "/data/orders", body: undefined },
  { secret: "-_-_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", timestamp: 1767000002, method: "DELETE", request_path: "/order", body: '{"orderID":"0xabc"}' },
  { secret: "3q2-7w", timestamp: 1767000003, method: "POST", request_path: "/auth/api-key", body: "" },
];
const hmac = [];
for (const c of hmacCases) {
  hmac.push({ ...c, body: c.body ?? "", signature: await buildPolyHmacSignature(c.secret, c.timestamp, c.method, c.request_path, c.body) });
}
const l2 = await createL2Headers(wallet, creds, { method: "POST", requestPath: "/order", body: hmacCases[0].body }, 1767000000);
write("l2_hmac.json", { source, address: wallet.address, credentials: creds, vectors: hmac, headers_for_first: l2 });

// Safe: factory address derivation and the SafeMessage digest the owner signs for ERC-1271 -----
const owners = [wallet.address, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x0000000000000000000000000000000000000001"];
const safes = owners.map((owner) => ({ owner, safe: relayer.deriveSafe(owner, SAFE_FACTORY) }));
const safeMessages = orders.slice(0, 3).map(({ hash }) => {
  const message = defaultAbiCoder.encode(["bytes32"], [hash]);
  const domain = { chainId: CHAIN_ID, verifyingContract: safe };
  const types = { SafeMessage: [{ name: "message", type: "bytes" }] };
  const digest = _TypedDataEncoder.hash(domain, types, { message });
  return { safe, chain_id: CHAIN_ID, order_hash: hash, safe_message_hash: digest, signature: wallet._signingKey().signDigest(digest) };
}).map((v) => ({ ...v, signature: joinSignature(v.signature) }));
// The factory's signed `createProxy`: the CreateProxy signature builder-relayer-client's
// SAFE-CREATE request carries, for Polygon's factory and for a factory elsewhere (as on anvil).
const { buildSafeCreateTransactionRequest } = createRequire(import.meta.url)(
  "@polymarket/builder-relayer-client/dist/builder/create.js",
);
const relayerSigner = {
  getAddress: async () => wallet.address,
  signTypedData: async (domain, types, value) => wallet._signTypedData(domain, types, value),
};
const ZERO = "0x0000000000000000000000000000000000000000";
const createProxy = [];
const quiet = console.log;
console.log = () => {};
for (const [factory, chainId] of [[SAFE_FACTORY, CHAIN_ID], ["0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", 137], [SAFE_FACTORY, 80002]]) {
  const request = await buildSafeCreateTransactionRequest(relayerSigner, { SafeFactory: factory }, {
    from: wallet.address, chainId, paymentToken: ZERO, payment: "0", paymentReceiver: ZERO,
  });
  const domain = { name: "Polymarket Contract Proxy Factory", chainId, verifyingContract: factory };
  const types = { CreateProxy: [{ name: "paymentToken", type: "address" }, { name: "payment", type: "uint256" }, { name: "paymentReceiver", type: "address" }] };
  const hash = _TypedDataEncoder.hash(domain, types, { paymentToken: ZERO, payment: 0, paymentReceiver: ZERO });
  createProxy.push({ factory, chain_id: chainId, hash, signature: request.signature, proxy_wallet: request.proxyWallet });
}
console.log = quiet;
write("safe.json", { source, factory: SAFE_FACTORY, private_key: PRIVATE_KEY, derived: safes, safe_messages: safeMessages, create_proxy: createProxy });

function joinSignature(sig) {
  return sig.r + sig.s.slice(2) + (sig.v === 27 ? "1b" : "1c");
}

console.log(`wrote ${amounts.length} amount vectors, ${orders.length} orders, ${clobAuth.length} auth, ${hmac.length} hmac, ${safes.length} safes`);
