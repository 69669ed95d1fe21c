"""Generate synthetic Dutch-like interview transcripts for the import benchmark.

Each file is a plain-text transcript of about `--words` words with timestamped speaker turns:

    [00:00:03] Interviewer: Kunt u iets vertellen over ...?

    [00:00:11] R: Ja, eh, bij ons op school ...

Output is deterministic: file i is generated from `Random(seed * 1_000_003 + i)`, so the same options give
byte-identical files on every machine. Usage:

    python bench/gen_transcripts.py --n 1000 --words 5000 --out bench/out/transcripts
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path


def _words(text: str) -> list[str]:
    return text.split()


# Common Dutch function words, weighted by repetition, and content words from the demo study's domain.
FUNCTION = _words("de de de het het een een en en en van van in in is is dat dat die die op te te met voor "
            "niet niet zijn er er ook ook maar maar als dan wel wel nog bij om aan uit kan je je we we "
            "ze ze ik ik ik hij wat wat zo zo heel meer naar of want dus toch eigenlijk gewoon best "
            "natuurlijk echt altijd soms vaak nu al daar hier wordt worden hebben heeft had was waren "
            "moet moeten kunnen zou zouden gaan gaat doen doet komt komen zien vinden denk weet")
CONTENT = _words("school leerlingen kinderen leerkracht leraar ouders groep klas bedrijf bedrijven beroep beroepen "
           "techniek wetenschap onderwijs basisschool les lessen project projecten gastles gastlessen "
           "bezoek bedrijfsbezoek talent talenten loopbaan ontwikkeling oriëntatie keuze keuzes toekomst "
           "werk werken ervaring ervaringen directeur directie team collega's gemeente regio netwerk "
           "programma aanpak middelen subsidie tijd rooster jaar jaren week weken moment momenten "
           "gesprek gesprekken portfolio stage vakken rekenen taal creativiteit nieuwsgierigheid "
           "zelfvertrouwen beeld beelden rolmodel rolmodellen meisjes jongens vrouwen mannen ideeën "
           "mogelijkheden samenwerking partners museum pabo studenten opleiding visie beleid curriculum "
           "doelen resultaten ervaren belangrijk lastig makkelijk moeilijk mooi leuk interessant nuttig "
           "praktisch concreet breed smal vroeg laat jong oud belangrijkste eerste laatste beëindigen "
           "geïnteresseerd coördinator café reünie financiën uitdaging uitdagingen beroepsoriëntatie "
           "loopbaanontwikkeling techniekonderwijs wetenschapsknooppunt samenwerkingsverband "
           "onderwijsinspectie leerlingenraad ouderavond verantwoordelijkheid ondernemerschap "
           "burgerschapsonderwijs bovenbouw onderbouw schoolbestuur jaarplanning talentontwikkeling "
           "praktijkvoorbeelden beroepsbeelden genderstereotypen vervolgonderwijs basisvaardigheden "
           "onderzoekend ontwerpend leren")
FILLERS = ["eh", "ehm", "nou", "ja", "zeg maar", "weet je", "hè", "inderdaad", "precies", "goh"]
QUESTION_OPENERS = ["Kunt u iets vertellen over", "Hoe kijkt u aan tegen", "Wat bedoelt u precies met",
                    "Hoe gaat de school om met", "Welke rol spelen", "Zou u een voorbeeld kunnen geven van",
                    "Wat vindt u van", "Hoe zijn jullie begonnen met", "Wat merken de kinderen van"]
ANSWER_OPENERS = ["Ja,", "Nou,", "Eh,", "Goh,", "Dat is een goede vraag.", "Kijk,", "Eerlijk gezegd",
                  "Bij ons op school", "Wat ik zie is dat", "Ik denk dat"]
WORDS_PER_SECOND = 2.5  # about 150 words a minute


def _sentence(rng: random.Random, n_words: int, capital: bool = True) -> str:
    words = []
    for _ in range(n_words):
        r = rng.random()
        if r < 0.5:
            words.append(rng.choice(FUNCTION))
        elif r < 0.97:
            words.append(rng.choice(CONTENT))
        else:
            words.append(rng.choice(FILLERS) + ",")
    if capital:
        words[0] = words[0][0].upper() + words[0][1:]
    last = words[-1].rstrip(",")
    return " ".join(words[:-1] + [last]) + rng.choice(".....?!")


def _question(rng: random.Random) -> str:
    return f"{rng.choice(QUESTION_OPENERS)} {' '.join(rng.choice(CONTENT) for _ in range(rng.randint(1, 4)))}?"


def _stamp(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def transcript(i: int, words: int, seed: int = 42) -> str:
    """One transcript of at least `words` words (the speaker labels and timestamps not counted)."""
    rng = random.Random(seed * 1_000_003 + i)
    turns: list[str] = []
    count, clock = 0, float(rng.randint(2, 9))
    while count < words:
        # the interviewer asks (sometimes with a short lead-in), the respondent answers at length
        q = _question(rng)
        if rng.random() < 0.3:
            q = _sentence(rng, rng.randint(5, 14)) + " " + q
        turns.append(f"[{_stamp(clock)}] Interviewer: {q}")
        n = len(q.split())
        count += n
        clock += n / WORDS_PER_SECOND + rng.uniform(0.5, 3)
        opener = rng.choice(ANSWER_OPENERS)
        answer = [opener]
        for k in range(rng.randint(2, 9)):
            answer.append(_sentence(rng, rng.randint(6, 24), capital=k > 0 or opener.endswith(".")))
        paragraph = " ".join(answer)
        if rng.random() < 0.15:  # an answer that runs over a line break (a continuation line)
            paragraph += "\n" + _sentence(rng, rng.randint(6, 18))
        turns.append(f"[{_stamp(clock)}] R: {paragraph}")
        n = len(paragraph.split())
        count += n
        clock += n / WORDS_PER_SECOND + rng.uniform(0.5, 3)
    return "\n\n".join(turns) + "\n"


def generate(out: Path, n: int, words: int, seed: int = 42) -> tuple[int, int]:
    """Write n files (skipping ones already there with the same content size); returns (files, bytes)."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        data = transcript(i, words, seed).encode("utf-8")
        path = out / f"interview-{i:05d}.txt"
        if not (path.exists() and path.stat().st_size == len(data)):
            path.write_bytes(data)
        total += len(data)
    return n, total


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of transcripts (default 1000)")
    ap.add_argument("--words", type=int, default=5000, help="words per transcript (default 5000)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "transcripts")
    args = ap.parse_args(argv)
    n, size = generate(args.out, args.n, args.words, args.seed)
    print(f"{n} transcripts, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
