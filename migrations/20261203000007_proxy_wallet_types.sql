-- A PROXY wallet is a Gnosis Safe (Polymarket's factory Safe, or one whose owner was swapped in
-- Phase 2A) or a Polymarket deposit wallet (ERC-7739, accounts created since 2026-05-04): they
-- sign orders differently, so the row says which, and only PROXY rows say anything.
ALTER TABLE wallets ADD COLUMN proxy_type text CHECK (proxy_type IN ('SAFE', 'DEPOSIT_WALLET'));
UPDATE wallets SET proxy_type = 'SAFE' WHERE type = 'PROXY';
ALTER TABLE wallets ADD CONSTRAINT wallets_proxy_type_iff_proxy CHECK ((type = 'PROXY') = (proxy_type IS NOT NULL));
