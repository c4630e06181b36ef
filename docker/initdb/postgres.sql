-- Sample table for the compose stack (service `plays`): listening events for Chinook tracks and customers.
CREATE TABLE listening_event (
  event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  track_id integer NOT NULL, -- Chinook Track.TrackId (virtual foreign key)
  customer_id integer NOT NULL, -- Chinook Customer.CustomerId (virtual foreign key)
  listened_at timestamptz NOT NULL DEFAULT now(),
  seconds_played integer NOT NULL CHECK (seconds_played >= 0)
);
CREATE INDEX listening_event_track_id_idx ON listening_event (track_id);

-- 500 deterministic rows: ids spread over Chinook's 3503 tracks and 59 customers.
INSERT INTO listening_event (track_id, customer_id, listened_at, seconds_played)
SELECT 1 + (g * 37) % 3503, 1 + (g * 13) % 59, timestamptz '2024-01-01 00:00:00+00' + g * interval '47 minutes',
       30 + (g * 17) % 300
FROM generate_series(1, 500) AS g;
