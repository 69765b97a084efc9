-- Which template a survey was made from ('feedback'), so a period's
-- feedback survey is made once and found again.
ALTER TABLE survey ADD COLUMN template TEXT CHECK (template IN ('feedback'));
