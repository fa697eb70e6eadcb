"""Name pools for synthetic people: varied, realistic and invented in combination."""

from __future__ import annotations

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Abena", "Ahmed", "Aisha", "Amara", "Ana", "Andrei", "Anjali", "Arjun", "Ayesha",
    "Beatriz", "Camila", "Carlos", "Chiamaka", "Daniel", "David", "Deepa", "Diego", "Dmitri",
    "Elena", "Emeka", "Emily", "Ethan", "Fatima", "Femi", "Gabriel", "Grace", "Hamid", "Hana",
    "Hannah", "Hiroshi", "Hyun-woo", "Ibrahim", "Ines", "Isabel", "Jamal", "James", "Javier",
    "Jia", "Jin", "Joaquin", "Kai", "Kavya", "Kenji", "Kofi", "Kwame", "Laila", "Lakshmi",
    "Leila", "Liam", "Linh", "Lucas", "Malik", "Maria", "Mariam", "Marisol", "Mateo", "Mei",
    "Michael", "Min-jun", "Nadia", "Naomi", "Ngozi", "Nikhil", "Noah", "Olga", "Olivia",
    "Omar", "Oluwaseun", "Priya", "Rafael", "Rahul", "Rania", "Ravi", "Rebecca", "Rosa",
    "Samuel", "Sana", "Sarah", "Seo-yeon", "Siddharth", "Sofia", "Soo-ah", "Tariq", "Thanh",
    "Tomasz", "Tuan", "Valentina", "Wei", "Yara", "Yusuf", "Zainab", "Zoe",
)

LAST_NAMES: tuple[str, ...] = (
    "Adeyemi", "Ahmed", "Alvarez", "Anderson", "Baptiste", "Bauer", "Brown", "Castillo",
    "Chang", "Chen", "Cohen", "Dang", "Das", "Diallo", "Dubois", "Eze", "Fernandez", "Fischer",
    "Garcia", "Gonzalez", "Gupta", "Haddad", "Hernandez", "Hoang", "Hussain", "Ibrahim", "Ito",
    "Iyer", "Jackson", "Johnson", "Kaur", "Khan", "Kim", "Kowalski", "Kumar", "Lee", "Levi",
    "Li", "Lopez", "Martin", "Mensah", "Mohammed", "Moreno", "Murphy", "Nakamura", "Nguyen",
    "Novak", "O'Brien", "Okafor", "Okonkwo", "Oyelaran", "Park", "Patel", "Petrov",
    "Phillips", "Pham", "Ramirez", "Rao", "Reyes", "Rivera", "Robinson", "Rossi", "Santos",
    "Schmidt", "Shah", "Silva", "Singh", "Smith", "Sullivan", "Tanaka", "Taylor", "Thomas",
    "Tran", "Wang", "Williams", "Wilson", "Wong", "Yamamoto", "Yilmaz", "Zhang",
)
# fmt: on
