-- HazardGrid on PostgreSQL, migration 1: what Orleans' ADO.NET providers need for clustering
-- and grain state. Written for this project (the provider packages ship no schema). Every
-- statement is idempotent, so re-running the migration is harmless.
--
-- The providers read their SQL from OrleansQuery (QueryKey → QueryText) and bind parameters by
-- name. Membership queries return row_count (1 = applied, 0 = lost a race: the silo re-reads
-- and retries); storage writes return NewGrainStateVersion, equal to the version given when that
-- version is stale (an ETag conflict). HazardGrid uses no reminders, so no reminder table.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

-- ---- Grain state ---------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS hg_grain_state
(
    service_id        varchar(150) NOT NULL,
    grain_type        varchar(512) NOT NULL,
    grain_id_n0       bigint       NOT NULL,
    grain_id_n1       bigint       NOT NULL,
    grain_id_ext      varchar(512) NOT NULL DEFAULT '',
    grain_id_hash     integer      NOT NULL,
    grain_type_hash   integer      NOT NULL,
    payload           bytea,
    version           integer      NOT NULL,
    modified_on       timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', '
SELECT payload AS "PayloadBinary", version AS "Version"
FROM hg_grain_state
WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_ext = COALESCE(@GrainIdExtensionString, '''');'),

-- A grain never written (no version) inserts version 1; otherwise the update applies only while
-- the stored version still matches. Either way one statement, so a concurrent writer cannot
-- slip between the check and the write.
('WriteToStorageKey', '
WITH written AS (
    INSERT INTO hg_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext, grain_id_hash, grain_type_hash, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''''), @GrainIdHash, @GrainTypeHash, @PayloadBinary, 1
    WHERE @GrainStateVersion::integer IS NULL OR EXISTS (
        SELECT 1 FROM hg_grain_state
        WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
          AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
          AND grain_id_ext = COALESCE(@GrainIdExtensionString, ''''))
    ON CONFLICT (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext) DO UPDATE
    SET payload = excluded.payload, version = hg_grain_state.version + 1, modified_on = now()
    WHERE @GrainStateVersion::integer IS NOT NULL AND hg_grain_state.version = @GrainStateVersion::integer
    RETURNING version)
SELECT COALESCE((SELECT version FROM written), @GrainStateVersion::integer) AS "NewGrainStateVersion";'),

('ClearStorageKey', '
WITH cleared AS (
    UPDATE hg_grain_state
    SET payload = NULL, version = version + 1, modified_on = now()
    WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_ext = COALESCE(@GrainIdExtensionString, '''')
      AND @GrainStateVersion::integer IS NOT NULL AND version = @GrainStateVersion::integer
    RETURNING version)
SELECT COALESCE((SELECT version FROM cleared), @GrainStateVersion::integer) AS "NewGrainStateVersion";'),

('DeleteStorageKey', '
WITH deleted AS (
    DELETE FROM hg_grain_state
    WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_ext = COALESCE(@GrainIdExtensionString, '''')
      AND @GrainStateVersion::integer IS NOT NULL AND version = @GrainStateVersion::integer
    RETURNING 1)
SELECT CASE WHEN EXISTS (SELECT 1 FROM deleted) THEN NULL ELSE @GrainStateVersion::integer END AS "NewGrainStateVersion";')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ---- Cluster membership --------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS hg_membership_version
(
    deployment_id varchar(150) NOT NULL PRIMARY KEY,
    changed_at    timestamptz  NOT NULL DEFAULT now(),
    version       integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS hg_membership
(
    deployment_id  varchar(150) NOT NULL REFERENCES hg_membership_version (deployment_id),
    address        varchar(45)  NOT NULL,
    port           integer      NOT NULL,
    generation     integer      NOT NULL,
    silo_name      varchar(150) NOT NULL,
    host_name      varchar(150) NOT NULL,
    status         integer      NOT NULL,
    proxy_port     integer,
    suspect_times  varchar(8000),
    start_time     timestamptz  NOT NULL,
    i_am_alive     timestamptz  NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Adds a silo and bumps the table version, both or neither: the version must still be the one
-- the silo read, and the silo must not be there already.
CREATE OR REPLACE FUNCTION hg_join_membership(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_silo_name text,
    p_host_name text, p_status integer, p_proxy_port integer, p_start timestamptz,
    p_alive timestamptz, p_version integer)
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hg_membership_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = p_deployment AND version = p_version;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    INSERT INTO hg_membership (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive)
    VALUES (p_deployment, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port, p_start, p_alive);
    RETURN 1;
EXCEPTION WHEN unique_violation THEN
    RETURN 0; -- the row exists: the version bump above is rolled back with it
END $$;

-- Changes a silo's row and bumps the table version, both or neither.
CREATE OR REPLACE FUNCTION hg_update_membership(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspect_times text, p_alive timestamptz, p_version integer)
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hg_membership_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = p_deployment AND version = p_version;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE hg_membership SET status = p_status, suspect_times = p_suspect_times, i_am_alive = p_alive
    WHERE deployment_id = p_deployment AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found';
    END IF;

    RETURN 1;
EXCEPTION WHEN no_data_found THEN
    RETURN 0;
END $$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', '
WITH created AS (
    INSERT INTO hg_membership_version (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1)
SELECT count(*)::integer AS row_count FROM created;'),

('InsertMembershipKey', '
SELECT hg_join_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
    @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS row_count;'),

('UpdateMembershipKey', '
SELECT hg_update_membership(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
    @IAmAliveTime, @Version) AS row_count;'),

('UpdateIAmAlivetimeKey', '
UPDATE hg_membership SET i_am_alive = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;'),

('MembershipReadRowKey', '
SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive AS "IAmAliveTime", v.version AS "Version"
FROM hg_membership_version v
LEFT JOIN hg_membership m ON m.deployment_id = v.deployment_id
    AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId;'),

('MembershipReadAllKey', '
SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive AS "IAmAliveTime", v.version AS "Version"
FROM hg_membership_version v
LEFT JOIN hg_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId;'),

('DeleteMembershipTableEntriesKey', '
DELETE FROM hg_membership WHERE deployment_id = @DeploymentId;
DELETE FROM hg_membership_version WHERE deployment_id = @DeploymentId;'),

('GatewaysQueryKey', '
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM hg_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;'),

-- Status 6 is Dead: only dead silos' rows are removed once they have been silent long enough.
('CleanupDefunctSiloEntriesKey', '
DELETE FROM hg_membership
WHERE deployment_id = @DeploymentId AND i_am_alive < @IAmAliveTime AND status = 6;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
