"""Trellis as an LTI 1.3 tool (pylti1p3): an LMS registered by an institution admin (a page
or `trellis lti register`) launches the assessment form, a learner's own record or a
faculty member's learners; the launch signs the person in by the rule single sign-on uses
(sso/accounts.py) and gives them the program membership their course role maps to, where
the registration allows it. Deep linking lets an instructor pick one of those three."""
