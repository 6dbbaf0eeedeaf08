-- `marsad extract` reports how many inputs it could not read (InputProblem)
-- alongside the document counts; keep it with the run.
ALTER TABLE runs ADD COLUMN problems INTEGER NOT NULL DEFAULT 0;
