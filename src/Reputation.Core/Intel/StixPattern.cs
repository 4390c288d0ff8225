using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Reputation.Core.Intel;

/// <summary>A STIX pattern that is not valid STIX patterning syntax; the message says where and why.</summary>
public sealed class StixPatternSyntaxException(string message) : FormatException(message);

/// <summary>One comparison of a pattern: <c>object-type:path OP literal</c>.</summary>
public sealed record StixComparison(string ObjectType, string Property, string Operator, bool Negated, StixLiteral? Value);

/// <summary>A literal of a comparison: its kind (string, int, float, bool, timestamp, hex, binary, set) and text.</summary>
public sealed record StixLiteral(string Kind, string Text, IReadOnlyList<StixLiteral>? Items = null);

/// <summary>A node of a parsed pattern.</summary>
public abstract record StixNode;

/// <summary>Observation or comparison expressions joined by one operator (AND, OR, FOLLOWEDBY).</summary>
public sealed record StixJoin(string Operator, IReadOnlyList<StixNode> Parts, bool IsObservation) : StixNode;

/// <summary>One observation expression <c>[ ... ]</c>, with the qualifiers after it.</summary>
public sealed record StixObservation(StixNode Comparison, IReadOnlyList<string> Qualifiers) : StixNode;

/// <summary>A parenthesised group of observation expressions with qualifiers.</summary>
public sealed record StixGroup(StixNode Inner, IReadOnlyList<string> Qualifiers) : StixNode;

/// <summary>A single property test.</summary>
public sealed record StixTest(StixComparison Comparison) : StixNode;

/// <summary>
/// A strict parser of STIX 2.1 patterning (STIX 2.1 part 9): the whole grammar is read — observation
/// expressions with AND / OR / FOLLOWEDBY and the WITHIN, START/STOP and REPEATS qualifiers, comparison
/// expressions with AND / OR / NOT and every operator, object paths with list indexes and quoted
/// components, and every literal form — so that a pattern the service does not act on can be told
/// apart from one that is not a pattern at all. <see cref="IndicatorPattern"/> decides what it acts on.
/// </summary>
public static class StixPattern
{
    public const int MaxLength = 8192;
    private const int MaxDepth = 32;

    private static readonly HashSet<string> s_comparisonOperators = new(StringComparer.Ordinal)
    {
        "=", "!=", "<>", "<", ">", "<=", ">=", "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET",
    };

    /// <summary>Parses a pattern; throws <see cref="StixPatternSyntaxException"/> when it is not one.</summary>
    public static StixNode Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.Length > MaxLength)
        {
            throw new StixPatternSyntaxException($"the pattern is longer than {MaxLength} characters");
        }

        var parser = new Parser(Tokenize(pattern));
        var node = parser.ObservationExpressions(0);
        parser.ExpectEnd();
        return node;
    }

    public static bool TryParse(string pattern, [NotNullWhen(true)] out StixNode? node, [NotNullWhen(false)] out string? error)
    {
        try
        {
            node = Parse(pattern);
            error = null;
            return true;
        }
        catch (StixPatternSyntaxException ex)
        {
            node = null;
            error = ex.Message;
            return false;
        }
    }

    private enum TokenKind
    {
        Word,
        Punct,
        String,
        Number,
        Prefixed,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int At, char Prefix = '\0');

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if ((c is 't' or 'h' or 'b') && i + 1 < s.Length && s[i + 1] == '\'')
            {
                i++;
                var text = ReadString(s, ref i);
                tokens.Add(new Token(TokenKind.Prefixed, text, start, c));
            }
            else if (c == '\'')
            {
                tokens.Add(new Token(TokenKind.String, ReadString(s, ref i), start));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or '-'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, s[start..i], start));
            }
            else if (char.IsAsciiDigit(c) || ((c is '-' or '+') && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                i++;
                while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
                {
                    i++;
                }

                var number = s[start..i];
                if (number.Count(ch => ch == '.') > 1 || number.EndsWith('.'))
                {
                    throw Error(start, $"'{number}' is not a number");
                }

                tokens.Add(new Token(TokenKind.Number, number, start));
            }
            else
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : null;
                if (two is "!=" or "<>" or "<=" or ">=")
                {
                    tokens.Add(new Token(TokenKind.Punct, two, start));
                    i += 2;
                }
                else if (c is '[' or ']' or '(' or ')' or ':' or '.' or ',' or '=' or '<' or '>' or '*')
                {
                    tokens.Add(new Token(TokenKind.Punct, c.ToString(), start));
                    i++;
                }
                else
                {
                    throw Error(start, $"unexpected character '{c}'");
                }
            }
        }

        tokens.Add(new Token(TokenKind.End, "", s.Length));
        return tokens;
    }

    private static string ReadString(string s, ref int i)
    {
        var start = i;
        i++; // opening quote
        var text = new StringBuilder();
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\\')
            {
                if (i + 1 >= s.Length || s[i + 1] is not ('\\' or '\''))
                {
                    throw Error(i, "only \\\\ and \\' may be escaped in a string literal");
                }

                text.Append(s[i + 1]);
                i += 2;
            }
            else if (c == '\'')
            {
                i++;
                return text.ToString();
            }
            else
            {
                text.Append(c);
                i++;
            }
        }

        throw Error(start, "unterminated string literal");
    }

    private static StixPatternSyntaxException Error(int at, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{message} at position {at}"));

    private sealed class Parser(List<Token> tokens)
    {
        private int _next;

        private Token Peek => tokens[_next];

        public void ExpectEnd()
        {
            if (Peek.Kind != TokenKind.End)
            {
                throw Error(Peek.At, $"unexpected '{Peek.Text}'");
            }
        }

        public StixNode ObservationExpressions(int depth) => Join(depth, "FOLLOWEDBY", d => Join(d, "OR", d2 => Join(d2, "AND", ObservationExpression, true), true), true);

        private StixNode Join(int depth, string op, Func<int, StixNode> part, bool observation)
        {
            var parts = new List<StixNode> { part(depth) };
            while (IsWord(op))
            {
                _next++;
                parts.Add(part(depth));
            }

            return parts.Count == 1 ? parts[0] : new StixJoin(op, parts, observation);
        }

        private StixNode ObservationExpression(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error(Peek.At, $"expressions are nested more than {MaxDepth} deep");
            }

            if (IsPunct("["))
            {
                _next++;
                var comparison = ComparisonOr(depth + 1);
                Expect("]");
                return new StixObservation(comparison, Qualifiers());
            }

            if (IsPunct("("))
            {
                _next++;
                var inner = ObservationExpressions(depth + 1);
                Expect(")");
                return new StixGroup(inner, Qualifiers());
            }

            throw Error(Peek.At, Peek.Kind == TokenKind.End ? "the pattern ends where an observation expression '[...]' was expected" : $"expected '[' or '(' but found '{Peek.Text}'");
        }

        private List<string> Qualifiers()
        {
            var qualifiers = new List<string>();
            while (true)
            {
                if (IsWord("WITHIN"))
                {
                    _next++;
                    var n = Take(TokenKind.Number, "a number of seconds after WITHIN");
                    ExpectWord("SECONDS");
                    qualifiers.Add($"WITHIN {n.Text} SECONDS");
                }
                else if (IsWord("START"))
                {
                    _next++;
                    var from = Timestamp("START");
                    ExpectWord("STOP");
                    var to = Timestamp("STOP");
                    qualifiers.Add($"START {from} STOP {to}");
                }
                else if (IsWord("REPEATS"))
                {
                    _next++;
                    var n = Take(TokenKind.Number, "a whole number after REPEATS");
                    if (n.Text.Contains('.', StringComparison.Ordinal) || n.Text.StartsWith('-'))
                    {
                        throw Error(n.At, "REPEATS takes a positive whole number");
                    }

                    ExpectWord("TIMES");
                    qualifiers.Add($"REPEATS {n.Text} TIMES");
                }
                else
                {
                    return qualifiers;
                }
            }
        }

        private string Timestamp(string after)
        {
            var t = Peek;
            if (t.Kind != TokenKind.Prefixed || t.Prefix != 't')
            {
                throw Error(t.At, $"expected a timestamp t'...' after {after}");
            }

            _next++;
            return StixTime.TryParse(t.Text, out _) ? t.Text : throw Error(t.At, $"'{t.Text}' is not an RFC 3339 UTC timestamp");
        }

        private StixNode ComparisonOr(int depth) => Join(depth, "OR", ComparisonAnd, false);

        private StixNode ComparisonAnd(int depth) => Join(depth, "AND", PropertyTest, false);

        private StixNode PropertyTest(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error(Peek.At, $"expressions are nested more than {MaxDepth} deep");
            }

            if (IsPunct("("))
            {
                _next++;
                var inner = ComparisonOr(depth + 1);
                Expect(")");
                return inner;
            }

            if (IsWord("EXISTS"))
            {
                _next++;
                var (type, path) = ObjectPath();
                return new StixTest(new StixComparison(type, path, "EXISTS", false, null));
            }

            var (objectType, property) = ObjectPath();
            var negated = false;
            if (IsWord("NOT"))
            {
                negated = true;
                _next++;
            }

            var op = Peek;
            var text = op.Kind == TokenKind.Punct || op.Kind == TokenKind.Word ? op.Text : "";
            if (!s_comparisonOperators.Contains(text))
            {
                throw Error(op.At, op.Kind == TokenKind.End ? "the pattern ends where a comparison operator was expected" : $"'{op.Text}' is not a comparison operator");
            }

            _next++;
            var value = text == "IN" ? Set() : Literal();
            if (text is "LIKE" or "MATCHES" or "ISSUBSET" or "ISSUPERSET" && value.Kind != "string")
            {
                throw Error(op.At, $"{text} takes a string literal");
            }

            return new StixTest(new StixComparison(objectType, property, text == "<>" ? "!=" : text, negated, value));
        }

        private (string Type, string Path) ObjectPath()
        {
            var type = Peek;
            if (type.Kind != TokenKind.Word || !IsObjectType(type.Text))
            {
                throw Error(type.At, type.Kind == TokenKind.End ? "the pattern ends where an object path was expected" : $"'{type.Text}' is not an object type");
            }

            _next++;
            Expect(":");
            var path = new StringBuilder(PathComponent());
            while (true)
            {
                if (IsPunct("."))
                {
                    _next++;
                    path.Append('.').Append(PathComponent());
                }
                else if (IsPunct("["))
                {
                    _next++;
                    var index = Peek;
                    if (index.Kind == TokenKind.Number && !index.Text.Contains('.', StringComparison.Ordinal))
                    {
                        _next++;
                    }
                    else if (!IsPunct("*"))
                    {
                        throw Error(index.At, "a list index is a whole number or *");
                    }
                    else
                    {
                        _next++;
                    }

                    Expect("]");
                    path.Append('[').Append(index.Text).Append(']');
                }
                else
                {
                    return (type.Text, path.ToString());
                }
            }
        }

        private string PathComponent()
        {
            var t = Peek;
            if (t.Kind == TokenKind.String || (t.Kind == TokenKind.Word && !t.Text.Contains('-', StringComparison.Ordinal)))
            {
                _next++;
                return t.Text;
            }

            throw Error(t.At, $"'{t.Text}' is not a property name");
        }

        private StixLiteral Set()
        {
            Expect("(");
            var items = new List<StixLiteral> { Literal() };
            while (IsPunct(","))
            {
                _next++;
                items.Add(Literal());
            }

            Expect(")");
            return new StixLiteral("set", string.Join(", ", items.Select(i => i.Text)), items);
        }

        private StixLiteral Literal()
        {
            var t = Peek;
            switch (t.Kind)
            {
                case TokenKind.String:
                    _next++;
                    return new StixLiteral("string", t.Text);
                case TokenKind.Number:
                    _next++;
                    return new StixLiteral(t.Text.Contains('.', StringComparison.Ordinal) ? "float" : "int", t.Text);
                case TokenKind.Word when t.Text is "true" or "false":
                    _next++;
                    return new StixLiteral("bool", t.Text);
                case TokenKind.Prefixed:
                    _next++;
                    return t.Prefix switch
                    {
                        't' when StixTime.TryParse(t.Text, out _) => new StixLiteral("timestamp", t.Text),
                        't' => throw Error(t.At, $"'{t.Text}' is not an RFC 3339 UTC timestamp"),
                        'h' when t.Text.Length % 2 == 0 && t.Text.All(char.IsAsciiHexDigit) => new StixLiteral("hex", t.Text),
                        'h' => throw Error(t.At, "a hex literal h'...' holds an even number of hex digits"),
                        _ when IsBase64(t.Text) => new StixLiteral("binary", t.Text),
                        _ => throw Error(t.At, "a binary literal b'...' holds base64"),
                    };
                default:
                    throw Error(t.At, t.Kind == TokenKind.End ? "the pattern ends where a value was expected" : $"'{t.Text}' is not a literal");
            }
        }

        private static bool IsBase64(string text)
        {
            var buffer = new byte[(text.Length * 3 / 4) + 3];
            return text.Length % 4 == 0 && Convert.TryFromBase64String(text, buffer, out _);
        }

        private static bool IsObjectType(string text) =>
            text.Length >= 3 && char.IsAsciiLetterLower(text[0]) && !text.EndsWith('-')
            && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && !text.Contains("--", StringComparison.Ordinal);

        private bool IsWord(string word) => Peek.Kind == TokenKind.Word && Peek.Text == word;

        private bool IsPunct(string punct) => Peek.Kind == TokenKind.Punct && Peek.Text == punct;

        private void Expect(string punct)
        {
            if (!IsPunct(punct))
            {
                throw Error(Peek.At, Peek.Kind == TokenKind.End ? $"the pattern ends where '{punct}' was expected" : $"expected '{punct}' but found '{Peek.Text}'");
            }

            _next++;
        }

        private void ExpectWord(string word)
        {
            if (!IsWord(word))
            {
                throw Error(Peek.At, $"expected {word}");
            }

            _next++;
        }

        private Token Take(TokenKind kind, string what)
        {
            if (Peek.Kind != kind)
            {
                throw Error(Peek.At, $"expected {what}");
            }

            return tokens[_next++];
        }
    }
}
