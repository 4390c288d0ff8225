namespace Reputation.Simulator.Generation;

/// <summary>
/// Ordinary prompts of human users: a request (many frames, filled from a broad vocabulary) with
/// optional openers, personal context, constraints, follow-ups and closers, each from its own list,
/// so that two users' prompts rarely share their wording and their fingerprints do not cluster the
/// way a campaign's templates do.
/// </summary>
internal static class OrdinaryPrompts
{
    private static readonly Dictionary<string, IReadOnlyList<string>> _vocabulary = new(StringComparer.Ordinal)
    {
        ["topic"] =
        [
            "photosynthesis", "the French revolution", "compound interest", "plate tectonics", "the immune system", "inflation",
            "quantum entanglement", "the water cycle", "supply chains", "jazz harmony", "the Roman republic", "black holes",
            "vaccines", "the stock market", "machine translation", "climate feedback loops", "coral reefs", "the printing press",
            "the Silk Road", "sleep cycles", "gut bacteria", "nuclear fusion", "the electoral college", "bird migration",
            "volcanoes", "the placebo effect", "cryptocurrency wallets", "urban heat islands", "the Renaissance", "tidal energy",
            "antibiotic resistance", "the Cold War", "ocean currents", "minimalist architecture", "the history of tea", "solar panels",
            "game theory", "impressionist painting", "the Krebs cycle", "microplastics", "the gig economy", "dark matter",
            "sourdough fermentation", "the Ottoman empire", "noise-cancelling headphones", "memory formation", "wind turbines",
            "the Great Depression", "monsoons", "language acquisition in children", "bonsai care", "the Apollo program",
        ],
        ["thing"] =
        [
            "a birthday card", "a cover letter", "a wedding toast", "a product description", "a haiku", "a limerick",
            "a short story", "a blog post", "a tweet thread", "a newsletter intro", "a LinkedIn summary", "a thank-you note",
            "a complaint letter", "a job posting", "a press release", "a bedtime story", "a eulogy", "a recipe intro",
            "a podcast outline", "a speech for a retirement party", "an apology email", "a team announcement", "a poem",
            "a song chorus", "a grant abstract", "a meeting agenda", "a farewell message", "a restaurant review",
        ],
        ["subject"] =
        [
            "my grandmother", "our new puppy", "a rainy Tuesday", "my first marathon", "the office coffee machine", "autumn in Kyoto",
            "a lighthouse keeper", "my sister's graduation", "moving to a new city", "a failed soufflé", "the last day of summer",
            "our hiking club", "a broken bicycle", "my favourite bookshop", "learning the violin", "a night train to Vienna",
            "the local football team", "a garden full of tomatoes", "my neighbour's cat", "an old camera", "the school reunion",
        ],
        ["food"] =
        [
            "lentils", "chickpeas", "leftover rice", "salmon", "tofu", "mushrooms", "sweet potatoes", "eggplant", "spinach",
            "chicken thighs", "black beans", "quinoa", "cauliflower", "zucchini", "ground beef", "paneer", "shrimp", "oats",
            "buckwheat", "feta", "butternut squash", "kimchi", "halloumi", "couscous", "red peppers", "cabbage", "pears",
        ],
        ["place"] =
        [
            "Lisbon", "Hokkaido", "the Scottish Highlands", "Mexico City", "Cape Town", "Vancouver", "Marrakech", "Oaxaca", "Tallinn",
            "the Dolomites", "Seoul", "Patagonia", "Sicily", "Hanoi", "Reykjavik", "Buenos Aires", "Kraków", "Tasmania", "Porto",
            "the Amalfi coast", "Montreal", "Istanbul", "Bali", "Edinburgh", "Kyoto", "Valencia", "Copenhagen", "Cusco",
        ],
        ["skill"] =
        [
            "public speaking", "touch typing", "watercolour painting", "negotiating a salary", "running a 10k", "knitting socks",
            "learning Spanish", "playing chess openings", "budgeting", "drawing faces", "meditating", "baking bread", "bouldering",
            "photography at night", "writing clearly", "managing a small team", "swimming freestyle", "juggling", "speed reading",
        ],
        ["code"] =
        [
            "a Python script", "a bash one-liner", "a SQL query", "a regular expression", "a React component", "a Go HTTP handler",
            "an Excel formula", "a CSS grid layout", "a Rust iterator", "a C# LINQ query", "a Kotlin data class", "a GitHub Actions workflow",
            "a Dockerfile", "a pandas groupby", "a JavaScript debounce function", "a Terraform module", "a unit test", "a Makefile",
        ],
        ["codeTask"] =
        [
            "renames all photos by the date they were taken", "finds duplicate rows in a table", "parses a CSV with quoted commas",
            "validates an email field", "sums my monthly expenses by category", "resizes images in a folder", "retries a flaky request",
            "converts Celsius to Fahrenheit", "removes trailing whitespace", "groups orders by customer", "counts words in a file",
            "paginates a long list", "reads a config file with defaults", "deletes files older than a week", "merges two sorted lists",
        ],
        ["problem"] =
        [
            "my laptop fan is always loud", "my sourdough does not rise", "my tomato leaves are turning yellow", "my phone battery drains fast",
            "the wifi drops every evening", "my code throws a null reference", "my cat will not use the new litter box",
            "my knees hurt after running", "the dishwasher leaves spots", "my bike chain keeps slipping", "my printer says offline",
            "I cannot fall asleep before 2am", "my spreadsheet formulas return #REF", "my houseplants keep dying", "my git merge has conflicts",
        ],
        ["audience"] =
        [
            "a ten-year-old", "my manager", "a new colleague", "my grandparents", "a first-year student", "a non-technical client",
            "a room full of engineers", "my book club", "a hiring committee", "my landlord", "a customer who is upset", "my students",
        ],
        ["tone"] =
        [
            "friendly", "formal", "funny", "short", "warm", "concise", "persuasive", "casual", "professional", "heartfelt", "upbeat", "neutral",
        ],
        ["language"] = ["Spanish", "French", "German", "Japanese", "Portuguese", "Italian", "Korean", "Dutch", "Polish", "Turkish", "Hindi"],
        ["number"] = ["three", "five", "ten", "a few", "seven", "two", "four", "six", "twelve"],
        ["time"] = ["a weekend", "three days", "a week", "two weeks", "one afternoon", "a long weekend", "ten days", "a month"],
        ["item"] =
        [
            "a used car", "running shoes", "a standing desk", "a laptop for university", "a rice cooker", "a tent", "a budget phone",
            "an electric toothbrush", "a mattress", "a coffee grinder", "noise-cancelling headphones", "a road bike", "a monitor for photo editing",
        ],
        ["book"] =
        [
            "Pride and Prejudice", "Dune", "1984", "The Odyssey", "Beloved", "Moby-Dick", "The Left Hand of Darkness", "Middlemarch",
            "One Hundred Years of Solitude", "The Remains of the Day", "Frankenstein", "Things Fall Apart", "The Name of the Rose",
        ],
    };

    // A prompt is composed of independent parts (opener, context, request, constraint, follow-up,
    // closer), each drawn from its own list, most of them optional and in varying order: people
    // phrase the same need in many ways, so two users' prompts rarely share their wording.
    private static readonly string[] _frames =
    [
        "what is {topic}?",
        "explain {topic} to {audience}",
        "{number} fun facts about {topic}",
        "write {thing} about {subject}",
        "{tone} {thing} for {audience}",
        "help with {thing}, {tone}",
        "cook something with {food} and {food}?",
        "dinner idea: {food}",
        "vegetarian recipe, {food}",
        "plan {time} in {place}",
        "must-sees in {place}?",
        "{place} in November?",
        "get better at {skill}",
        "{time} plan for {skill}",
        "{skill} tips",
        "{code} that {codeTask}",
        "slow {code} that {codeTask}",
        "fix: {code} that {codeTask}",
        "'where is the train station' in {language}",
        "'nice to meet you' in {language}?",
        "{problem}",
        "{problem}, ideas?",
        "help! {problem}",
        "best {item} under 300 dollars",
        "buy {item} now or wait?",
        "summarise {book}",
        "main characters in {book}",
        "liked {book}, try {book}?",
        "sound {tone}: thanks for waiting, the report is late again",
        "{tone} reply about {subject}",
        "podcast names, {topic}",
        "quiz me: {topic}",
        "{language} or {language}?",
        "{topic} vs {topic}",
        "text to my landlord: {problem}",
        "shopping list with {food}",
        "{food} left out overnight, safe?",
        "learning {skill} as an adult",
        "ELI5 {topic}",
        "gift for {audience}, loves {place}",
        "books like {book}",
        "notes into {thing}: {subject}, {subject}",
        "grammar: me and my friend goes to {place} every summer",
        "save money on {item}",
        "lesson on {topic} for {audience}",
        "{topic}: hoax or not?",
        "{place} or {place} for {time}",
        "{food} needs using up",
        "talk on {topic} tomorrow",
        "{item} worth it?",
        "{skill} as a hobby?",
        "crash in {code} that {codeTask}",
        "{book} or {book}?",
        "{problem} before smartphones",
        "{skill} in {time}?",
        "{topic} again, I forgot",
        "stop {problem}",
        "{topic} or {topic} for an exam",
        "move to {place}?",
        "surprise for {audience}: {food}, {place}",
    ];

    // A request can also be built from a starter, a subject and a qualifier, each its own phrasing.
    private static readonly string[] _starters =
    [
        "what's the deal with", "can you tell me about", "I'd love to understand", "how does one approach", "remind me what's special about",
        "is it true what they say about", "what do you think of", "any advice on", "I'm curious about", "break down", "talk me through",
        "give me the gist of", "what's a good way into", "could you summarise", "I never understood", "where do I start with",
        "how would you describe", "what should everyone know about", "why is everyone talking about", "help me get my head around",
        "what are the basics of", "tell me something surprising about", "what's your take on", "is there an easy way to learn",
        "how do experts think about", "what's wrong with how people see", "be honest, is it worth bothering with", "sum up",
        "what would a teacher say about", "in your view, how important is",
    ];

    private static readonly string[] _qualifiers =
    [
        "", "", "for a beginner", "in a nutshell", "compared to ten years ago", "from a historical angle", "if I'm short on time",
        "when it's cold outside", "for someone my age", "on a shoestring", "without the hype", "in my situation", "for a small town",
        "as a parent", "the way a scientist would", "before I commit to anything", "with real examples", "if I hate maths",
        "for my kids", "while travelling", "as a total outsider", "in under a minute", "that I could repeat at a party",
        "without a computer", "for the next five years", "like I'm an engineer", "from both sides",
    ];

    private static readonly string[] _subjectSlots = ["topic", "skill", "place", "book", "item", "food"];

    private static readonly string[] _reasoningFrames =
    [
        "can you walk me through {topic} step by step?",
        "explain step by step why {problem}",
        "I don't get {topic}, can you reason it out slowly and show each step",
        "work through this with me step by step: if I save 200 a month at 4% interest, how much after {number} years",
        "think it through carefully: is {item} really worth it for me? explain your reasoning",
        "how would you debug {code} that {codeTask}? go through it step by step",
        "show me how to solve: a train leaves {place} at 9am at 80 km/h, when does it arrive 340 km away? show your working",
        "my kid's homework asks why {topic} happens, can you break it down one step at a time",
    ];

    private static readonly string[] _openers =
    [
        "hi!", "hey,", "quick question:", "ok so", "hello,", "sorry if this is basic but", "random question -", "for a work thing:",
        "my kid asked me this:", "good morning.", "so, um,", "bit of a weird one:", "please help,", "ugh.", "right, next thing:",
        "I was wondering", "can I ask you something?", "hi again.", "another one for you:", "evening!", "hey there, hope you're well.",
        "long story short:", "this might sound silly,", "honest question:",
    ];

    private static readonly string[] _contexts =
    [
        "I work night shifts, so my schedule is all over the place.", "my daughter is seven and asks a million questions.",
        "we just moved into a tiny flat with no oven.", "I only have about an hour before my next meeting.",
        "my manager asked me to look into this by Friday.", "I have never done anything like this before.",
        "I tried searching online but every site says something different.", "this is for a school project due next week.",
        "money is tight for us this month.", "my partner and I keep disagreeing about it.", "I'm seventy and not great with computers.",
        "English is my second language, sorry for mistakes.", "I'm training for my first half marathon.", "we are hosting my in-laws this weekend.",
        "I broke my wrist last month so typing is slow.", "our team lead is on holiday and I'm covering.", "I'm a nurse and rarely get a day off.",
        "it's been raining for a week here.", "my laptop is pretty old, from about 2015.", "I'm vegetarian, my husband is not.",
        "I run a small bakery with two employees.", "the exam is on Monday and I'm behind.", "I started a new job three days ago.",
        "we have a toddler and a very anxious dog.", "I'm writing a novel in my spare time.", "I got conflicting advice from two friends.",
        "I used to know this but it's been years.", "my landlord is not very responsive.", "I'm on my phone on the bus.",
        "I teach year five and want something engaging.", "I'm trying to cut down on screen time.", "my grandfather was a fisherman.",
        "I volunteer at the local library on weekends.", "this came up at dinner last night.", "I'm moving abroad in the spring.",
        "my sister is getting married in June.", "I just adopted a rescue cat.", "I'm colour blind, if that matters.",
        "we're a family of five on one income.", "I've been putting this off for months.", "my flatmate cooks far better than me.",
        "I failed this module once already.", "our wedding anniversary is next Thursday.", "I'm recovering from the flu.",
        "my French is rusty since school.", "we live at the top of a steep hill.", "the kids are off school for half term.",
        "I care for my mum three days a week.", "I commute two hours each way.", "our garden gets almost no sun.",
        "I'm allergic to cats, sadly.", "my budget is around fifty pounds.", "I'm left-handed.", "our village has one shop.",
        "I play bass in a covers band.", "my book club meets on Sunday.", "I'm a student living on noodles.", "we foster dogs.",
        "I'm the only one at work who uses a Mac.", "the power keeps cutting out here.",
    ];

    private static readonly string[] _constraints =
    [
        "keep it under 100 words.", "in simple terms please.", "bullet points are fine.", "no jargon, please.", "I'm in Europe if that matters.",
        "assume I know nothing about it.", "make it sound like me, not a robot.", "give me the short version first.", "nothing too expensive.",
        "it has to work on a phone.", "avoid anything with nuts.", "British spelling please.", "we don't have a car.", "only free options.",
        "the tone should be warm but professional.", "please don't make it too long.", "a table would help.", "I'd rather not use apps for this.",
        "it needs to be ready by tonight.", "something my parents would understand.", "two or three options is plenty.",
        "skip the history, I just need the practical bit.", "I prefer metric units.", "we're beginners, be gentle.", "include a quick example.",
        "make it rhyme if you can.", "it's for a formal email.", "as if you were talking to a friend.", "no more than five items.",
        "one paragraph max.", "spoilers are fine.", "short sentences, my reading is slow.", "suitable for under tens.",
        "I can spend a weekend on it, no more.", "ideally something local.", "a checklist format works for me.", "gluten free, please.",
        "mention prices in euros.", "I get seasick, so no boats.", "nothing political.", "plain text, no emojis.",
        "something I can print.", "it should fit on a postcard.", "a bit cheeky is ok.", "for a Sunday afternoon.",
    ];

    private static readonly string[] _followUps =
    [
        "also, is there anything I should avoid?", "and what would you do in my place?", "bonus points if you can add a joke.",
        "what are the risks?", "is there a cheaper way?", "how sure are you about this?", "anything I'm missing?", "and how long would it take?",
        "could you also suggest a title?", "is this a common problem?", "what do most people get wrong here?", "where can I read more?",
        "would the answer change in winter?", "can you double check the numbers?", "what if I only had half the time?",
        "does it matter which brand?", "should I ask a professional instead?", "any good videos on it?",
        "and is it the same in Canada?", "which would you pick?", "does age make a difference?", "any apps you'd recommend?",
        "how do I know it worked?", "what's a good first step today?", "is it ok to skip a day?", "how much should that cost?",
        "would my kids enjoy it too?", "what would a pro do differently?", "is it safe for a pregnant woman?", "can it be done in a weekend?",
        "how did it start?", "is there a catch?", "what's the most common mistake?", "and if it goes wrong?", "how would you explain it to my dad?",
    ];

    private static readonly string[] _closers =
    [
        "thanks!", "thank you", "cheers", "much appreciated", ":)", "(it's for tomorrow)", "ty", "thanks in advance!", "you're a star",
        "no rush", "thx", "appreciate it.", "lol", "xx", "thanks a lot",
    ];

    /// <summary>An ordinary prompt; with <paramref name="reasoning"/> one that asks for step-by-step reasoning, as people sometimes do.</summary>
    public static string Next(SimRandom random, bool reasoning)
    {
        ArgumentNullException.ThrowIfNull(random);
        var request = reasoning ? PromptTemplate.Fill(random.Pick(_reasoningFrames), _vocabulary, random)
            : random.Chance(0.5) ? PromptTemplate.Fill(random.Pick(_frames), _vocabulary, random)
            : $"{random.Pick(_starters)} {random.Pick(_vocabulary[random.Pick(_subjectSlots)])} {random.Pick(_qualifiers)}".TrimEnd();
        var parts = new List<string>(6);
        if (random.Chance(0.55))
        {
            parts.Add(random.Pick(_openers));
        }

        var context = random.Chance(0.6) ? random.Pick(_contexts) : null;
        var contextFirst = random.Chance(0.6);
        if (context is not null && contextFirst)
        {
            parts.Add(context);
        }

        parts.Add(request);
        if (context is not null && !contextFirst)
        {
            parts.Add(context);
        }

        if (random.Chance(0.55))
        {
            parts.Add(random.Pick(_constraints));
        }

        if (random.Chance(0.3))
        {
            parts.Add(random.Pick(_followUps));
        }

        if (random.Chance(0.35))
        {
            parts.Add(random.Pick(_closers));
        }

        var text = string.Join(' ', parts);
        return random.Chance(0.3) ? Capitalise(text) : text;
    }

    /// <summary>How many frames there are (ordinary, reasoning): the variety the tests check.</summary>
    public static (int Ordinary, int Reasoning) FrameCounts => (_frames.Length + (_starters.Length * _qualifiers.Length), _reasoningFrames.Length);

    private static string Capitalise(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
