-- The mailroom's own database, beside Temporal's (created by admin-tools).
CREATE USER mailroom WITH PASSWORD 'mailroom';
CREATE DATABASE mailroom OWNER mailroom;
