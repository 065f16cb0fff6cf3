import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuestions } from '../../src/interchange/index.ts';
import { parseMoodleXml } from '../../src/interchange/moodle-xml.ts';
import { VI_LABELS } from './samples.ts';

const opts = (...spec: [string, boolean][]) => spec.map(([text, correct]) => ({ text, correct }));

// Shaped like a file exported by Moodle 4.x: categories, CDATA, feedback, files, every common type.
const MOODLE_EXPORT = `<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/Default for Lớp 10A1/Hóa học</text>
    </category>
    <info format="moodle_auto_format"><text></text></info>
  </question>
<!-- question: 101  -->
  <question type="multichoice">
    <name><text>Nguyên tố</text></name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr">Kí hiệu hoá học của <strong>sắt</strong> là gì?</p><p><img src="@@PLUGINFILE@@/fe.png" alt="" /></p>]]></text>
      <file name="fe.png" path="/" encoding="base64">iVBORw0KGgo=</file>
    </questiontext>
    <generalfeedback format="html"><text>&lt;p&gt;Fe, từ tiếng Latin &lt;em&gt;ferrum&lt;/em&gt;.&lt;/p&gt;</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <correctfeedback format="html"><text>Your answer is correct.</text></correctfeedback>
    <answer fraction="100" format="html"><text>Fe</text><feedback format="html"><text>Đúng!</text></feedback></answer>
    <answer fraction="0" format="html"><text><![CDATA[<p>F</p>]]></text><feedback format="html"><text></text></feedback></answer>
    <answer fraction="0" format="html"><text>S&amp;amp;t &amp;#7855;</text><feedback format="html"><text></text></feedback></answer>
    <tags><tag><text>kim loại</text></tag><tag><text>lớp 10</text></tag></tags>
  </question>
<!-- question: 102  -->
  <question type="multichoice">
    <name><text>Khí hiếm</text></name>
    <questiontext format="moodle_auto_format"><text>Chọn các khí hiếm
(có thể nhiều đáp án)</text></questiontext>
    <defaultgrade>1</defaultgrade>
    <single>false</single>
    <answer fraction="50"><text>He</text></answer>
    <answer fraction="-100"><text>O&#8322;</text></answer>
    <answer fraction="50"><text>Ne</text></answer>
    <answer fraction="0"><text>N&#x2082;</text></answer>
  </question>
  <question type="essay"><name><text>E</text></name><questiontext format="html"><text>Viết.</text></questiontext></question>
  <question type="truefalse">
    <name><text>TF</text></name>
    <questiontext format="plain_text"><text>Nước là &lt;H2O&gt; &amp; muối?</text></questiontext>
    <answer fraction="0" format="moodle_auto_format"><text>true</text></answer>
    <answer fraction="100" format="moodle_auto_format"><text>false</text></answer>
  </question>
  <question type="matching"><name><text>M</text></name><questiontext><text>m</text></questiontext></question>
  <question type="shortanswer"><name><text>S</text></name><questiontext><text>s</text></questiontext></question>
  <question type="numerical"><name><text>N</text></name><questiontext><text>n</text></questiontext></question>
  <question type="multianswer"><name><text>C</text></name><questiontext><text>{1:SHORTANSWER:=x}</text></questiontext></question>
  <question type="description"><name><text>D</text></name><questiontext><text>d</text></questiontext></question>
  <question type="ddwtos"><name><text>DD</text></name><questiontext><text>dd</text></questiontext></question>
<!-- <question type="essay"> in a comment is not a question -->
  <question type="category"><category><text>$course$/top/Sinh học</text></category></question>
  <question type="multichoice">
    <name><text>Sinh</text></name>
    <questiontext format="markdown"><text>**Tế bào** là gì?</text></questiontext>
    <answer fraction="100"><text>Đơn vị sống</text></answer>
    <answer fraction="50"><text>Một phân tử</text></answer>
  </question>
</quiz>
`;

test('a Moodle export: every question imported or skipped with its number, kind and line', () => {
  const result = parseMoodleXml(MOODLE_EXPORT, { trueFalseLabels: VI_LABELS });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.items.map((i) => [i.index, i.line, i.skipped?.kind ?? i.question?.type]),
    [
      [0, 11, 'single'],
      [1, 32, 'multiple'],
      [2, 43, 'essay'],
      [3, 44, 'truefalse'],
      [4, 50, 'matching'],
      [5, 51, 'shortanswer'],
      [6, 52, 'numerical'],
      [7, 53, 'cloze'],
      [8, 54, 'description'],
      [9, 55, 'ddwtos'],
      [10, 58, 'single'],
    ],
  );
  const [iron, gases, , tf, , , , , , , cell] = result.items;
  assert.deepEqual(iron!.question, {
    type: 'single',
    stem: 'Kí hiệu hoá học của **sắt** là gì?',
    options: opts(['Fe', true], ['F', false], ['S&t ắ', false]),
    points: 2,
    tags: ['Default for Lớp 10A1', 'Hóa học', 'kim loại', 'lớp 10'],
    explanation: 'Fe, từ tiếng Latin _ferrum_.',
  });
  assert.deepEqual(iron!.errors, []);
  assert.ok(iron!.warnings.some((w) => /images could not be imported/.test(w)));
  assert.ok(iron!.warnings.some((w) => /Attached files/.test(w)));
  assert.ok(iron!.warnings.some((w) => /Feedback on individual answers/.test(w)));
  assert.deepEqual(gases!.question, {
    type: 'multiple',
    stem: 'Chọn các khí hiếm\n(có thể nhiều đáp án)',
    options: opts(['He', true], ['O₂', false], ['Ne', true], ['N₂', false]),
    points: 1,
    tags: ['Default for Lớp 10A1', 'Hóa học'],
  });
  assert.deepEqual(tf!.question, {
    type: 'truefalse',
    stem: 'Nước là <H2O> & muối?',
    options: opts(['Đúng', false], ['Sai', true]),
    tags: ['Default for Lớp 10A1', 'Hóa học'],
  });
  assert.deepEqual(cell!.question, {
    type: 'single',
    stem: '**Tế bào** là gì?',
    options: opts(['Đơn vị sống', true], ['Một phân tử', false]),
    tags: ['Sinh học'],
  });
  assert.match(cell!.warnings[0]!, /50% credit/);
  for (const skipped of result.items.filter((i) => i.skipped)) assert.equal(skipped.question, undefined);
});

test('malformed and foreign XML give a clear file-level error', async () => {
  const cases: [string, RegExp][] = [
    ['<quiz><question type="multichoice"><name></quiz>', /not well-formed XML \(line 1, column \d+\)/],
    ['<?xml version="1.0"?>\n<html><body/></html>', /no <quiz> element/],
    ['<!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', /DOCTYPE/],
    ['<quiz></quiz>', /No questions/],
  ];
  for (const [xml, message] of cases) {
    const result = await parseQuestions('moodle-xml', Buffer.from(xml));
    assert.equal(result.items.length, 0);
    assert.match(result.errors.join(' '), message);
  }
});

test('a true/false question whose answers are not "true"/"false" reads the first as true, with a warning', () => {
  const result = parseMoodleXml(
    '<quiz><question type="truefalse"><questiontext><text>Q</text></questiontext>' +
      '<answer fraction="100"><text>Đúng</text></answer><answer fraction="0"><text>Sai</text></answer></question></quiz>',
  );
  const [item] = result.items;
  assert.deepEqual(item!.question?.options, opts(['True', true], ['False', false]));
  assert.match(item!.warnings[0]!, /first one is read as true/);
});

test('validation problems are reported on the question', () => {
  const result = parseMoodleXml(
    '<quiz>\n<question type="multichoice"><questiontext><text></text></questiontext><single>true</single>' +
      '<answer fraction="0"><text>a</text></answer><answer fraction="0"><text>b</text></answer></question></quiz>',
  );
  assert.deepEqual(result.items[0]!.errors, [
    'A single-choice or true/false question needs exactly one correct option',
    'Stem is empty',
  ]);
  assert.equal(result.items[0]!.line, 2);
});
