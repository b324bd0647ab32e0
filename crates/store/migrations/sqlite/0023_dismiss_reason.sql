-- A self-referral set aside says why (a test, a duplicate, spam…), so that a colleague can see
-- it and restore it within 30 days if it was a real request after all.
ALTER TABLE self_referrals ADD COLUMN dismiss_reason TEXT NULL;
