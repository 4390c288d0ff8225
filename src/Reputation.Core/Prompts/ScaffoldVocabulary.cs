using System.Collections.Frozen;

namespace Reputation.Core.Prompts;

/// <summary>
/// The everyday English a prompt template is built from: function words, and the verbs, nouns and
/// modifiers of instructions ("explain", "step", "answer", "detailed", "following"). A word outside
/// this list is probably what a template's slot was filled with (a topic, a name, a term), which
/// <see cref="SimHash"/> weighs down in template-like prompts. The list is deliberately generic:
/// subject-matter words (nouns of a topic) are left out, because those are what slots hold.
/// Changing it changes fingerprints, so it is versioned with the algorithm.
/// </summary>
internal static class ScaffoldVocabulary
{
    private const string FunctionWords = """
        a an the this that these those some any each every all both either neither no not none nor
        other others another such what which who whom whose when where why how whether if then than
        else so because as since while until unless though although but and or for of to in on at by
        with without within into onto from up down out over under about above below after before
        between among through throughout during against along across around behind beyond near off
        per via toward towards upon like unlike except besides instead rather
        i me my mine myself you your yours yourself yourselves we us our ours ourselves they them
        their theirs themselves he him his himself she her hers herself it its itself one ones
        is are was were be been being am do does did done doing have has had having can could will
        would shall should may might must ought let let's lets it's i'm i'd i'll i've you're you've
        you'll you'd we're we'll they're don't doesn't didn't isn't aren't wasn't weren't can't
        cannot couldn't won't wouldn't shouldn't haven't hasn't what's that's there's here's who's
        how's where's there here now then also just only even very too more most less least much
        many few several lot lots again already always never often sometimes usually ever still yet
        well really quite enough almost nearly about around roughly exactly etc vs
        yes okay ok please thanks thank hello hi hey dear sure own happen happens happened skip
        """;

    private const string InstructionWords = """
        explain explains explained explaining explanation explanations describe describes described
        describing description write writes wrote written writing rewrite rewrites rewritten rephrase
        paraphrase summarize summarise summarizes summary summaries translate translates translated
        translation solve solves solved solving solution solutions answer answers answered answering
        respond responds response responses reply replies ask asks asked asking question questions
        list lists listing give gives gave given giving provide provides provided providing show
        shows showed shown showing tell tells told telling make makes made making create creates
        created creating generate generates generated generating produce produces produced compose
        draft design designs build builds built implement implements implemented implementation
        develop define defines defined definition compare compares compared comparison contrast
        analyze analyse analyzes analysis evaluate evaluates evaluation assess assessment discuss
        discusses discussion outline outlines identify identifies classify categorize calculate
        calculates calculated calculation calculations compute computes computed derive derives
        derived derivation prove proves proved proof demonstrate find finds found finding determine
        determines estimate estimates convert converts format formats formatted fix fixes fixed debug
        refactor review reviews improve improves edit edits correct corrects check checks checked
        verify verifies verified verification validate test tests tested testing use uses used using
        apply applies applied follow follows followed following include includes included including
        based imagine pretend act acts acting respond return returns output outputs print prints
        continue continues continued start starts started begin begins began finish finishes
        complete completes completed stop keep keeps need needs needed want wants wanted think
        thinks thought thinking know knows known understand understanding help helps helping consider
        considering assume assuming suppose note remember ensure avoid focus focusing mention
        highlight emphasize illustrate clarify elaborate expand reason reasons reasoning reasoned
        justify justifies justification argue argues argument arguments support supports break
        breaking broken work works worked working walk go goes going get gets got take takes taking
        put puts set sets try tries trying look looks see seen read reads say says said call called
        called named name answer reveal hide hidden internal reconstruct recreate repeat repeats
        verify double respond rate rank ranks score scores choose chooses pick select predict
        recommend suggest suggests suggestion suggestions propose plan plans organize structure
        structured simplify optimize count counts measure
        """;

    private const string PromptNouns = """
        step steps stage stages part parts point points idea ideas detail details example examples
        instance instances case cases way ways method methods approach approaches technique
        techniques strategy strategies process processes procedure result results outcome output
        input text texts sentence sentences paragraph paragraphs word words line lines page pages
        essay essays story stories poem poems article articles report reports letter letters email
        message messages note notes title titles heading headings section sections chapter chapters
        summary table tables chart list bullet bullets item items code function functions program
        programs script scripts class classes method file files data value values number numbers
        equation equations formula formulas expression expressions term terms variable variables
        problem problems exercise exercises task tasks question prompt prompts instructions
        instruction rule rules requirement requirements constraint constraints condition conditions
        format style tone voice language languages version versions type types kind kinds sort
        thing things topic topics subject subjects concept concepts fact facts information context
        background overview introduction conclusion end beginning middle start order sequence level
        levels time times minute minutes hour hours day days week weeks year years person people
        someone something anything everything nothing everyone anyone user users reader readers
        audience student students teacher beginner beginners expert experts assistant model role
        character tutor chain trace process thoughts logic rationale scratchpad monologue work
        derivation proof answer final hypothesis claim evidence reference references source sources
        pros cons advantages disadvantages benefits drawbacks difference differences similarities
        reason cause causes effect effects impact role purpose goal goals aim meaning definition
        """;

    private const string Modifiers = """
        first second third fourth fifth next last final previous following above below same
        different similar specific general common basic simple simpler detailed short shorter long
        longer brief clear clearly concise concisely complete completely full fully correct
        correctly possible best good better great bad worse worst new old main key important
        major minor overall entire whole total single individual each intermediate hidden inner
        private raw underlying careful carefully thorough thoroughly precise precisely exact
        directly simply briefly easy easily hard difficult complex advanced professional technical
        formal informal friendly helpful accurate accurately rigorous logical logically
        numbered bulleted separate separately original actual real true false right wrong likely
        unlikely relevant appropriate useful interesting high low large small big little
        early late quick quickly slow slowly plain everyday modern typical strong weak positive
        negative creative funny one two three four five six seven eight nine
        ten eleven twelve twenty hundred thousand dozen half few couple
        """;

    // Unigrams of these carry almost no information (they are in nearly every English prompt), so
    // their single-word features get a fraction of the weight; they still count in shingles.
    private const string StopWords = """
        a an the of to in on at by for and or is are was were be been it its this that with as from
        i you we they he she my your our their me us them do does did not no so if then than
        """;

    public static readonly FrozenSet<string> Words = Split(string.Join(' ', FunctionWords, InstructionWords, PromptNouns, Modifiers, StopWords));

    public static readonly FrozenSet<string> Stop = Split(StopWords);

    private static FrozenSet<string> Split(string words) =>
        words.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);
}
