-- Sample table for the compose stack (service `promos`): price promotions on Chinook tracks.
CREATE TABLE promotion (
  promotion_id INT AUTO_INCREMENT PRIMARY KEY,
  track_id INT NOT NULL, -- Chinook Track.TrackId (virtual foreign key)
  starts_on DATE NOT NULL,
  ends_on DATE NOT NULL,
  discount_percent TINYINT NOT NULL,
  CONSTRAINT promotion_dates CHECK (ends_on >= starts_on),
  CONSTRAINT promotion_discount CHECK (discount_percent BETWEEN 1 AND 90),
  INDEX promotion_track_id_idx (track_id)
);

INSERT INTO promotion (track_id, starts_on, ends_on, discount_percent) VALUES
  (1, '2024-01-01', '2024-01-31', 20),
  (6, '2024-02-01', '2024-02-14', 15),
  (77, '2024-03-10', '2024-03-20', 30),
  (350, '2024-04-01', '2024-04-30', 10),
  (1021, '2024-05-05', '2024-05-25', 25),
  (2000, '2024-06-01', '2024-06-07', 50),
  (3503, '2024-07-01', '2024-07-31', 5);
