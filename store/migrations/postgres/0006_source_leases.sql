-- Which process reads a source now: several processes (serve replicas on
-- one database) share the sources, each read by one at a time. A lease ends
-- at lease_until (unix seconds) unless its owner renews it.
CREATE TABLE source_leases (
	name        TEXT    PRIMARY KEY,
	owner       TEXT    NOT NULL,
	lease_until BIGINT NOT NULL
);
