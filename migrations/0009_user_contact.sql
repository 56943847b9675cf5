-- A user's own name and phone as documents print them (承办人, 联系电话): each user fills
-- them in on their account page; the documents form starts from them.
ALTER TABLE users ADD COLUMN full_name TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;
