-- Each service owns its database on the shared server (as on the native path).
CREATE DATABASE goals;
CREATE DATABASE value_stream;
CREATE DATABASE scoring;
CREATE DATABASE notifier;
