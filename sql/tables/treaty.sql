CREATE OR REPLACE TABLE treaty (
    treaty_id         VARCHAR PRIMARY KEY,
    unoda_short_name  VARCHAR NOT NULL,
    name              VARCHAR NOT NULL,
    opened            DATE NOT NULL,          -- opened for signature
    entry_into_force  DATE,
    depositaries      VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL
);
