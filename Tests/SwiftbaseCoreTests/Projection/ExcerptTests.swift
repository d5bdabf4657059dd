import Testing

@testable import SwiftbaseCore

@Suite struct ExcerptTests {
    // PocketBase's own excerpt fixture.
    static let html =
        " <script>var a = 123;</script>   <p>Hello</p><div id=\"test_id\">t   est<b>12\n\t3</b><span>456</span></div>"
        + "<span>word <b>7</b> 89<span>!<b>?</b><b> a </b><b>b </b>c</span>#<h1>title</h1>"
    static let plain = "Hello t est12 3456 word 7 89!? a b c# title"

    @Test(arguments: [
        (2, false, "He"),
        (plain.count, false, plain),
        (plain.count + 5, false, plain),
        (2, true, "He..."),
        (plain.count, true, plain),
        (plain.count + 5, true, plain),
        (6, true, "Hello..."),  // the cut text is trimmed before the ellipsis
    ])
    func pocketBaseFixture(max: Int, withEllipsis: Bool, expected: String) {
        #expect(Excerpt(max: max, withEllipsis: withEllipsis).apply(toHTML: Self.html) == expected)
    }

    @Test(arguments: [
        (4, "аб\nв ", "аб в"),
        (3, "аб\nв ", "аб..."),
    ])
    func multibyte(max: Int, input: String, expected: String) {
        #expect(Excerpt(max: max, withEllipsis: true).apply(toHTML: input) == expected)
    }

    @Test(arguments: [
        ("plain text", "plain text"),
        ("  lots   of\n\n white\tspace  ", "lots of white space"),
        ("<p>a</p><p>b</p>", "a b"),
        ("<b>a</b><i>b</i>", "ab"),
        ("a<br>b", "ab"),
        ("a<hr>b", "a b"),
        ("<div>a<div>b</div>c</div>", "a b c"),
        ("<ul><li>one</li><li>two</li></ul>", "one two"),
        ("x<img src=a.png alt=pic>y", "xy"),
        ("x<button>no</button>y", "xy"),
        ("<form><input value=1>in form</form>after", "after"),
        ("<style>p{color:red}</style>text", "text"),
        ("text<style>p{color:red}</style>", "text"),
        ("<script>if (a < b && c > d) {}</script>ok", "ok"),
        ("<script>document.write('</scr' + 'ipt>')</script>ok", "ok"),
        ("a<textarea><b>x</b></textarea>b", "ab"),  // excluded elements add no spaces
        ("<svg><text>vector</text></svg>after", "after"),
        ("<title>Page</title><p>body</p>", "body"),
        ("<p>body</p><title>late title</title>", "body late title"),
        ("<noscript><b>raw</b></noscript>", ""),  // in head (scripting is on)
        ("x<noscript><b>raw</b></noscript>", "x <b>raw</b>"),
        ("<xmp><i>raw</i></xmp>", "<i>raw</i>"),
        (
            "fish &amp; chips &lt;3 &quot;q&quot; &#39;s&#39; &#x41;&#66; &eacute;&copy caf&eacute;",
            "fish & chips <3 \"q\" 's' AB é© café"
        ),
        ("&nbsp;pad&nbsp;", "pad"),
        ("&unknown; &amp &ampx &#; &#x; &#0; &#128; &#xD800;", "&unknown; & &x &#; &#x; \u{FFFD} € \u{FFFD}"),
        ("a < b > c", "a < b > c"),
        ("a <3 b", "a <3 b"),
        ("a</ b>c", "ac"),
        ("a</>b", "ab"),
        ("a<!-- comment <p>x</p> -->b", "ab"),
        ("a<!-->b", "ab"),
        ("a<!DOCTYPE html>b", "ab"),
        ("a<?php echo 1 ?>b", "ab"),
        ("<a href=\"x>y\" title='q>r'>link</a> end", "link end"),
        ("<p class=x>unterminated <b", "unterminated"),
        ("a</p>b", "a b"),
        ("</div>a</span>b", "ab"),
        ("<P>Upper</P><DIV>Case</DIV>", "Upper Case"),
        ("line\r\nbreak\rcr", "line break cr"),
        ("nul\u{0}char", "nulchar"),
        ("<plaintext><b>all</b> raw", "<b>all</b> raw"),
        ("<p>\u{A0}nbsp inside\u{A0}</p>", "nbsp inside"),
        ("", ""),
    ])
    func plainText(html: String, expected: String) {
        #expect(Excerpt(max: 1000, withEllipsis: false).apply(toHTML: html) == expected)
    }

    @Test func deeplyNestedMarkupDoesNotOverflow() {
        let html = String(repeating: "<div>", count: 50_000) + "deep" + String(repeating: "</div>", count: 50_000)
        #expect(Excerpt(max: 10, withEllipsis: false).apply(toHTML: html) == "deep")
        let spans = String(repeating: "<span>x", count: 20_000)
        #expect(Excerpt(max: 5, withEllipsis: true).apply(toHTML: spans) == "xxxxx...")
    }

    @Test func nonStringsPassThrough() {
        let excerpt = Excerpt(max: 1, withEllipsis: true)
        #expect(excerpt.apply(to: 12) == 12)
        #expect(excerpt.apply(to: nil) == nil)
        #expect(excerpt.apply(to: ["abc"]) == ["abc"])
        #expect(excerpt.apply(to: "abc") == "a...")
    }

    @Test(arguments: [
        ("12", 12), ("12.0", 12), ("0x1F", 31), ("0X1f", 31), ("017", 15), ("0", 0), ("-3", -3), ("+3", 3),
    ])
    func goIntegers(text: String, expected: Int) {
        #expect(Excerpt.goInteger(text) == expected)
    }

    @Test(arguments: ["", "abc", "1.5", "10.", ".0", "08", "0x", "1_000", "99999999999999999999", "--1", " 1"])
    func goIntegerFailures(text: String) {
        #expect(Excerpt.goInteger(text) == nil)
    }
}
