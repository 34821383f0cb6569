-- Dasbor ILP storage schema (DuckDB).
-- Every data row carries the upload it came from; raw NIK and names are never stored.
-- Applied idempotently by ilp_metrics.db.init_schema().

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Kemendagri reference areas (idn-area-data, ODbL). Codes with dots: 73, 73.09, 73.09.04, 73.09.04.2005.
CREATE TABLE IF NOT EXISTS ref_province (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_regency (
    code          VARCHAR PRIMARY KEY,
    province_code VARCHAR NOT NULL,
    name          VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_district (
    code         VARCHAR PRIMARY KEY,
    regency_code VARCHAR NOT NULL,
    name         VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_village (
    code          VARCHAR PRIMARY KEY,
    district_code VARCHAR NOT NULL,
    name          VARCHAR NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS upload_id_seq START 1;

-- One row per file accepted (or replaced / withdrawn later). Refused files leave no row.
CREATE TABLE IF NOT EXISTS uploads (
    upload_id     INTEGER PRIMARY KEY,
    file_name     VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    profile       VARCHAR,
    sheet         VARCHAR,
    header_row    INTEGER,
    uploaded_by   VARCHAR NOT NULL,
    uploaded_at   TIMESTAMP NOT NULL,
    rows_read     INTEGER NOT NULL,
    rows_accepted INTEGER NOT NULL,
    rows_refused  INTEGER NOT NULL,
    rows_skipped  INTEGER NOT NULL,
    rows_replaced INTEGER NOT NULL DEFAULT 0,  -- rows of earlier uploads this one replaced
    period_start  DATE,
    period_end    DATE,
    status        VARCHAR NOT NULL DEFAULT 'active'  -- active | replaced | withdrawn
);

-- Row refusals of committed uploads (strict uploads refuse the whole file and store nothing).
-- Values are not stored: a refused value could be a NIK or a name.
CREATE TABLE IF NOT EXISTS upload_refusals (
    upload_id   INTEGER NOT NULL,
    row_number  INTEGER NOT NULL,
    column_name VARCHAR,
    reason_code VARCHAR NOT NULL
);

-- Registry: puskesmas. district_code is the kecamatan (73.09.04).
CREATE TABLE IF NOT EXISTS puskesmas (
    puskesmas_code VARCHAR PRIMARY KEY,
    puskesmas_name VARCHAR NOT NULL,
    regency_code   VARCHAR NOT NULL,
    district_code  VARCHAR,
    ilp_start_date DATE,
    cohort         VARCHAR,
    latitude       DOUBLE,
    longitude      DOUBLE,
    upload_id      INTEGER NOT NULL
);
-- How district_code was found: 'code' (a column), 'name' / 'name_approx' / 'address' / 'address_approx'
-- (a kecamatan name, or the `Kec. …` of the address, matched in the Kemendagri reference), 'desa' (the
-- kecamatan of most of its desa), NULL (not known yet). Never from the digits of a Kemenkes puskesmas
-- code, whose numbering differs from Kemendagri's.
ALTER TABLE puskesmas ADD COLUMN IF NOT EXISTS district_from VARCHAR;
-- Files made before the column held kecamatan codes only: those came from a column.
UPDATE puskesmas SET district_from = 'code' WHERE district_from IS NULL AND district_code IS NOT NULL;

-- Registry: desa/kelurahan and the puskesmas whose area (wilayah kerja) holds it.
CREATE TABLE IF NOT EXISTS desa (
    desa_code      VARCHAR PRIMARY KEY,
    desa_name      VARCHAR NOT NULL,
    puskesmas_code VARCHAR NOT NULL,
    upload_id      INTEGER NOT NULL
);

-- Annual target populations. area_level is 'desa' or 'puskesmas'.
CREATE TABLE IF NOT EXISTS sasaran (
    year         SMALLINT NOT NULL,
    area_level   VARCHAR NOT NULL,
    area_code    VARCHAR NOT NULL,
    target_group VARCHAR NOT NULL,
    count        BIGINT NOT NULL,
    upload_id    INTEGER NOT NULL
);

-- Individual service records, one row per service given. person_key = HMAC-SHA256 (hex).
CREATE TABLE IF NOT EXISTS layanan (
    upload_id      INTEGER NOT NULL,
    source_row     INTEGER NOT NULL,
    service_date   DATE NOT NULL,
    puskesmas_code VARCHAR NOT NULL,
    desa_code      VARCHAR NOT NULL,
    person_key     VARCHAR NOT NULL,
    birth_date     DATE,
    age_years      SMALLINT,
    sex            VARCHAR,
    service_code   VARCHAR NOT NULL,
    result         VARCHAR
);

-- Monthly aggregate reports. period = first day of the month. desa_code NULL = whole puskesmas.
CREATE TABLE IF NOT EXISTS capaian (
    upload_id      INTEGER NOT NULL,
    source_row     INTEGER NOT NULL,
    period         DATE NOT NULL,
    puskesmas_code VARCHAR NOT NULL,
    desa_code      VARCHAR,
    service_code   VARCHAR NOT NULL,
    count          BIGINT NOT NULL
);

-- Annual aggregates (Profil Kesehatan tables, annual SPM recaps, upload kind 'tahunan'): one count per
-- puskesmas, year and service, never split into months. derived: the file gave only a percentage and
-- the count is round(% x sasaran / 100). The same upload's sasaran rows are in `sasaran`.
CREATE TABLE IF NOT EXISTS capaian_tahunan (
    upload_id      INTEGER NOT NULL,
    source_row     INTEGER NOT NULL,
    year           SMALLINT NOT NULL,
    puskesmas_code VARCHAR NOT NULL,
    service_code   VARCHAR NOT NULL,
    count          BIGINT NOT NULL,
    derived        BOOLEAN NOT NULL DEFAULT FALSE
);

-- ILP readiness checklist. period = first day of the month the status refers to.
CREATE TABLE IF NOT EXISTS kesiapan (
    upload_id      INTEGER NOT NULL,
    source_row     INTEGER NOT NULL,
    period         DATE NOT NULL,
    puskesmas_code VARCHAR NOT NULL,
    item_code      VARCHAR NOT NULL,
    value          DOUBLE NOT NULL
);

-- Accounts (docs/security.md). Passwords: argon2id hashes only. OIDC accounts match on email.
CREATE TABLE IF NOT EXISTS users (
    username        VARCHAR PRIMARY KEY,
    display_name    VARCHAR,
    role            VARCHAR NOT NULL,  -- admin | dinas | puskesmas | tamu
    puskesmas_code  VARCHAR,           -- the one puskesmas of a 'puskesmas' account
    email           VARCHAR,           -- identity from the OpenID Connect provider
    password_hash   VARCHAR,           -- NULL: this account signs in only through OIDC
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    changed_at      TIMESTAMP NOT NULL
);

-- Audit trail: append-only; each row chains the hash of the one before, so an edit or a deletion
-- made behind the library's back is detected (ilp_metrics.audit.verify).
CREATE TABLE IF NOT EXISTS audit_log (
    audit_id  BIGINT PRIMARY KEY,
    logged_at TIMESTAMP NOT NULL,
    actor     VARCHAR NOT NULL,
    role      VARCHAR,
    action    VARCHAR NOT NULL,  -- upload | replace | withdraw | export | backup | restore | user_* | login*
    target    VARCHAR,
    details   VARCHAR,           -- JSON, never a NIK, a name or a password
    prev_hash VARCHAR NOT NULL,
    hash      VARCHAR NOT NULL
);

-- Tallies of the service records, kept up to date at upload in the upload's own transaction
-- (ilp_metrics/metrics/tallies.py): the coverage statement reads hundreds of rows here instead of scanning
-- millions of records. Counts only: no person key, no date of birth. meta 'tally_records' holds the number
-- of layanan rows they were kept for (a write behind the library's back makes them unused, never wrong).
CREATE TABLE IF NOT EXISTS tally_services (  -- records per puskesmas, desa, month and service
    puskesmas_code VARCHAR NOT NULL,
    desa_code      VARCHAR,
    year           INTEGER NOT NULL,
    month          INTEGER NOT NULL,
    service_code   VARCHAR NOT NULL,
    records        BIGINT NOT NULL,
    first_upload   INTEGER NOT NULL  -- the earliest upload holding records of the slice (quality findings cite it)
);
CREATE TABLE IF NOT EXISTS tally_counts (  -- newly counted per numerator definition, scope, unit and month
    def_key     VARCHAR NOT NULL,  -- coverage.numerator_key of the catalogue's numerator definition
    year        INTEGER NOT NULL,
    scope_level VARCHAR NOT NULL,  -- puskesmas | kabupaten | desa@puskesmas | desa@kabupaten
    scope_code  VARCHAR NOT NULL,  -- the puskesmas or kabupaten whose records were counted together
    unit_code   VARCHAR NOT NULL,
    month       INTEGER NOT NULL,  -- counted from January: the month of first service (or Nth visit, event)
    n           BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS tally_defs (  -- the numerator definitions the tallies hold
    def_key    VARCHAR PRIMARY KEY,
    definition VARCHAR NOT NULL  -- the catalogue indicator it was first kept for (for the reader)
);

-- The data-quality findings kept up to date at upload, in the upload's own transaction, for the kabupaten-
-- years it can change (ilp_metrics/quality/kept.py, quality/reach.py): a page reads a kabupaten-year's
-- hundred rows here instead of running the checks over millions of records. The raw findings of the default
-- window (January to the kabupaten's last month with data), before messages and names; desa codes and
-- counts, never a person key, a NIK or a name. meta 'quality_kept_state' holds the state of the tables they
-- were kept for (a write behind the library's back makes them unused, never wrong).
CREATE TABLE IF NOT EXISTS quality_kept (  -- one row per kabupaten-year kept
    regency_code VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    last_month   INTEGER,           -- the window's last month; NULL: the kabupaten has no data that year
    rules_key    VARCHAR NOT NULL,  -- kept.rules_key of the catalogue and checks the findings were made with
    columns      VARCHAR NOT NULL   -- JSON list: the raw finding columns, in order
);
CREATE TABLE IF NOT EXISTS quality_kept_rows (  -- the raw findings, in the checks' order
    regency_code VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    ord          INTEGER NOT NULL,
    cells        VARCHAR NOT NULL   -- JSON list, one tagged value per column (kept.encode)
);
