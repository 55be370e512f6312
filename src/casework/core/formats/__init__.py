"""Casework's own date and time formats, where Django's locale defaults read badly.

Django's English formats write times as "11:54 a.m.", whose full stop doubles at the end
of a sentence ("Saved at 11:54 a.m.."). Times here are "11:54 AM", as US agencies write
them on forms; everything else is Django's. Other languages keep Django's formats.
"""
