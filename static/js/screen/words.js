/* words.js — the word cloud of the projector: content words of the ideas (French and English stop words dropped). */
const MAX_WORDS = 40;

/* ------------------------------------------------------------ words */

// Stop words (lower case, accents kept): articles, pronouns, prepositions,
// conjunctions, auxiliaries and the most common verbs and adverbs.
var STOP_FR = (
  "le la les l un une des du de d au aux ce cet cette ces ceci cela ça c mon ma mes ton ta tes son sa ses " +
  "notre nos votre vos leur leurs quel quelle quels quelles chaque tout toute tous toutes autre autres même mêmes " +
  "certain certaine certains certaines plusieurs aucun aucune nul nulle tel telle tels telles " +
  "je j tu il elle on nous vous ils elles me m te t se s moi toi soi lui eux y en qui que qu quoi dont où " +
  "celui celle ceux celles ici là-bas " +
  "à a dans par pour vers avec sans sous sur chez entre contre depuis pendant avant après jusqu jusque jusqu'à " +
  "selon malgré parmi hors dès via près loin auprès lors afin envers durant outre côté face " +
  "et ou mais donc or ni car quand comme si lorsque lorsqu puisque puisqu parce quoique quoiqu " +
  "ne n pas plus moins très trop peu bien mal aussi encore déjà toujours jamais souvent parfois ici là alors ainsi " +
  "tant tellement beaucoup assez non oui vraiment surtout enfin puis ensuite seulement notamment etc " +
  "être suis es est sommes êtes sont étais était étions étiez étaient été serai seras sera serons serez seront " +
  "serais serait serions seriez seraient sois soit soyons soyez soient fut furent " +
  "avoir ai as avons avez ont avais avait avions aviez avaient eu eue eus aurai auras aura aurons aurez auront " +
  "aurais aurait aurions auriez auraient aie aies ait ayons ayez aient " +
  "faire fais fait faisons faites font faisait faisaient fera feront ferait feraient fasse fassent faits faite " +
  "pouvoir peux peut pouvons pouvez peuvent pourra pourront pourrait pourraient puisse puissent pu " +
  "devoir dois doit devons devez doivent devra devront devrait devraient dû " +
  "falloir faut faudra faudrait fallait aller vais vas va allons allez vont ira iront irait " +
  "vouloir veux veut voulons voulez veulent voudrait voudraient mettre met mettent " +
  "peut-être c'est-à-dire est-ce vis-à-vis aujourd hui cas chose choses fois"
).split(/\s+/);
var STOP_EN = (
  "a an the this that these those my your his her its our their i you he she it we they me him us them " +
  "myself yourself itself ourselves themselves who whom whose which what where when why how " +
  "and or but nor so yet for of to in on at by with from into onto about above below over under " +
  "between through during before after without within against among across along around up down out off " +
  "than then too very can could will would shall should may might must do does did done doing " +
  "be is am are was were been being have has had having get gets got getting make makes made " +
  "not no yes all any some each every more most less other others such only own same also just there here " +
  "as if because while until again further once both few many much lot lots thing things way " +
  "don doesn didn isn aren wasn weren won can't couldn wouldn shouldn haven hasn hadn let etc"
).split(/\s+/);
var STOP = {};
STOP_FR.concat(STOP_EN).forEach(function (w) { STOP[w] = true; });

var WORD_RE;
try { WORD_RE = new RegExp("[\\p{L}\\p{M}]+(?:-[\\p{L}\\p{M}]+)*", "gu"); }
catch (e) { WORD_RE = /[a-zà-öø-ÿœæ\u0300-\u036f]+(?:-[a-zà-öø-ÿœæ\u0300-\u036f]+)*/g; }

function isContent(word) {
  if (STOP[word]) return false;
  var letters = word.replace(/-/g, "");
  if (letters.length < 3) return false;
  if (word.indexOf("-") >= 0) {
    // a compound made only of stop words ("a-t-il", "peut-être") is one too
    return word.split("-").some(function (p) { return p.length >= 3 && !STOP[p]; });
  }
  return true;
}

/** The content words of a text: lower case, punctuation and elisions (l', qu') dropped, accents kept. */
function words(text) {
  var s = String(text || "").normalize("NFC").toLowerCase().replace(/[’'ʼ`´]/g, " ");
  return (s.match(WORD_RE) || []).filter(isContent);
}

/** Top words over the ideas: [{word, weight}] — a merged idea counts for everyone it stands for. */
export function wordCloud(ideas) {
  var groups = {};
  ideas.forEach(function (idea) {
    var seen = {};
    words(idea.text).forEach(function (w) {
      var key = w.length > 4 ? w.replace(/[sx]$/, "") : w; // jardin / jardins together
      var g = groups[key] || (groups[key] = { weight: 0, forms: {} });
      g.forms[w] = (g.forms[w] || 0) + 1;
      if (seen[key]) return;
      seen[key] = true;
      g.weight += Math.max(1, idea.count || 1);
    });
  });
  return Object.keys(groups).map(function (key) {
    var g = groups[key];
    var form = Object.keys(g.forms).sort(function (a, b) { return g.forms[b] - g.forms[a] || a.localeCompare(b); })[0];
    return { word: form, weight: g.weight };
  }).sort(function (a, b) { return b.weight - a.weight || a.word.localeCompare(b.word); }).slice(0, MAX_WORDS);
}
