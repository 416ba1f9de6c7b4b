-- The sales–marketing alignment survey (docs/metrics.md; HBR, "Ending the War
-- Between Sales and Marketing", 2006): rounds opened by managers, and one
-- answer per person per round, twenty ratings of 1–5.

CREATE TABLE survey_rounds (
    id        bigserial PRIMARY KEY,
    opened_by text NOT NULL,
    opened_at timestamptz NOT NULL
);

-- A second answer in the same round replaces the first (primary key).
-- The team is the one the person was in when answering, so a later move
-- between teams does not rewrite a past round.
CREATE TABLE survey_answers (
    round_id    bigint NOT NULL REFERENCES survey_rounds (id),
    user_id     text NOT NULL,
    team        text NOT NULL CHECK (team IN ('sales', 'marketing')),
    scores      smallint[] NOT NULL CHECK (cardinality(scores) = 20 AND 1 <= ALL (scores) AND 5 >= ALL (scores)),
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (round_id, user_id)
);
