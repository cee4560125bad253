/*
 * 监督一点通: the complaint form, made sturdier where JavaScript runs.
 *
 * Without this script the form posts to /api/submissions and the server answers with a page.
 * With it: fields are checked once the input method has finished composing (never mid-pinyin),
 * the text is kept as a draft in localStorage until the server has acknowledged it, the post
 * carries an idempotency key kept with the draft, and a network failure or a 503 is retried with
 * the same key, so a flaky connection never loses a complaint nor files it twice. The receipt
 * shows the case number and query code large, with copy, print and a "我已记下查询码" step.
 *
 * Plain ES5 for older Android WebViews (WeChat's in-app browser); no framework.
 *
 * Markup it expects (the no-JavaScript form as it is):
 *   <form data-ydt-form action="/api/submissions" method="post">
 *     hidden community; type (select or radios); <select name="category">; <textarea name="body">;
 *     <input type="checkbox" name="anonymous">; contact_name; contact_phone;
 *     the honeypot <input name="website"> hidden from people (off-screen, tabindex="-1",
 *     autocomplete="off"); a submit button.
 * Optional: an element with data-ydt-status for messages (created at the top if absent).
 * Classes it adds, for the theme's CSS: .ydt-error (under a field), .ydt-status(-error|-info),
 * .ydt-receipt, .ydt-big (case number and query code), .ydt-actions, .ydt-facts, .ydt-noted.
 */
(function () {
  'use strict';

  var DRAFT_PREFIX = 'ydt-draft:';
  var RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000];
  var TYPE_LABELS = { complaint: '投诉', report: '举报', suggestion: '建议' };
  var FIELDS = ['community', 'type', 'category', 'body', 'anonymous', 'contact_name', 'contact_phone', 'website'];

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) fn(list[i], i);
  }

  function trim(text) {
    return String(text).replace(/^\s+|\s+$/g, '');
  }

  function charCount(text) {
    // Count code points, as the server does (an emoji is one character, not two).
    return text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '_').length;
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      return window.crypto.randomUUID();
    }
    var bytes = [];
    if (window.crypto && window.crypto.getRandomValues) {
      var buffer = new Uint8Array(16);
      window.crypto.getRandomValues(buffer);
      for (var i = 0; i < 16; i++) bytes.push(buffer[i]);
    } else {
      for (var j = 0; j < 16; j++) bytes.push(Math.floor(Math.random() * 256));
    }
    var hex = '';
    each(bytes, function (b) { hex += (b < 16 ? '0' : '') + b.toString(16); });
    return 'k-' + new Date().getTime().toString(36) + '-' + hex;
  }

  var storage = (function () {
    try {
      var probe = '__ydt';
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; // private mode or disabled: the form still works, just without drafts
    }
  })();

  function readDraft(name) {
    if (!storage) return null;
    try { return JSON.parse(storage.getItem(DRAFT_PREFIX + name) || 'null'); } catch (e) { return null; }
  }

  function writeDraft(name, draft) {
    if (!storage) return;
    try { storage.setItem(DRAFT_PREFIX + name, JSON.stringify(draft)); } catch (e) { /* full: ignore */ }
  }

  function dropDraft(name) {
    if (storage) storage.removeItem(DRAFT_PREFIX + name);
  }

  function field(form, name) {
    var found = [];
    each(form.elements, function (el) { if (el.name === name) found.push(el); });
    return found;
  }

  function value(form, name) {
    var result = '';
    each(field(form, name), function (el) {
      if (el.type === 'radio' || el.type === 'checkbox') {
        if (el.checked) result = el.type === 'checkbox' ? 'on' : el.value;
      } else if (!result) {
        result = el.value;
      }
    });
    return result;
  }

  function setValue(form, name, text) {
    each(field(form, name), function (el) {
      if (el.type === 'radio') el.checked = el.value === text;
      else if (el.type === 'checkbox') el.checked = text === 'on';
      else if (el.type !== 'hidden') el.value = text;
    });
  }

  function messageFor(form, name) {
    var els = field(form, name);
    if (!els.length) return null;
    var anchor = els[els.length - 1];
    var id = 'ydt-error-' + name;
    var note = document.getElementById(id);
    if (!note) {
      note = document.createElement('p');
      note.id = id;
      note.className = 'ydt-error';
      note.setAttribute('role', 'alert');
      var label = anchor.parentNode.tagName === 'LABEL' ? anchor.parentNode : anchor;
      label.parentNode.insertBefore(note, label.nextSibling);
    }
    return note;
  }

  function showFieldError(form, name, text) {
    var note = messageFor(form, name);
    each(field(form, name), function (el) {
      if (text) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    });
    if (note) {
      note.textContent = text || '';
      note.style.display = text ? '' : 'none';
    }
    return !!note;
  }

  function status(form, text, kind) {
    var box = form.querySelector('[data-ydt-status]');
    if (!box) {
      box = document.createElement('p');
      box.setAttribute('data-ydt-status', '');
      box.setAttribute('role', 'alert');
      form.insertBefore(box, form.firstChild);
    }
    box.className = 'ydt-status' + (kind ? ' ydt-status-' + kind : '');
    box.textContent = text || '';
    box.style.display = text ? '' : 'none';
  }

  /* The form's rules, as the page gives them in data-* attributes: the server's own limits,
   * phone patterns and messages, written there by the generator. The server has the last word. */
  function rules(form) {
    if (form.ydtRules) return form.ydtRules;
    var data = function (name) { return form.getAttribute('data-' + name) || ''; };
    var number = function (name) { return parseInt(data(name), 10) || 0; };
    var pattern = function (name) {
      try { return new RegExp(data(name)); } catch (e) { return null; }
    };
    form.ydtRules = {
      bodyMin: number('body-min'),
      bodyMax: number('body-max'),
      nameMax: number('name-max'),
      separators: data('phone-separators'),
      mobile: pattern('mobile-pattern'),
      landline: pattern('landline-pattern'),
      msg: function (name, n) { return data('msg-' + name).replace('{n}', String(n)); }
    };
    return form.ydtRules;
  }

  /* The phone as the server reads it: full-width digits as digits, separators dropped, a leading
   * +86 (or 86 before an 11-digit mobile) removed. */
  function phoneDigits(text, separators) {
    var out = '';
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      var code = text.charCodeAt(i);
      if (code >= 0xff10 && code <= 0xff19) out += String.fromCharCode(code - 0xfee0);
      else if (separators.indexOf(c) < 0) out += c;
    }
    if (out.charAt(0) === '+') out = out.slice(0, 3) === '+86' ? out.slice(3) : out;
    else if (out.length === 13 && out.slice(0, 3) === '861') out = out.slice(2);
    return out;
  }

  function check(form, name) {
    var text = trim(value(form, name));
    var anonymous = value(form, 'anonymous') === 'on';
    var r = rules(form);
    switch (name) {
      case 'type':
        return text ? '' : r.msg('type-missing');
      case 'category':
        return text ? '' : r.msg('category-missing');
      case 'body':
        if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value(form, name))) {
          return r.msg('body-control');
        }
        if (r.bodyMin && charCount(text) < r.bodyMin) return r.msg('body-too-short', charCount(text));
        if (r.bodyMax && charCount(text) > r.bodyMax) return r.msg('body-too-long', charCount(text));
        return '';
      case 'contact_name':
        if (anonymous) return '';
        return r.nameMax && charCount(text) > r.nameMax ? r.msg('name-too-long', charCount(text)) : '';
      case 'contact_phone':
        if (anonymous || !text || !r.mobile || !r.landline) return '';
        var digits = phoneDigits(text, r.separators);
        return r.mobile.test(digits) || r.landline.test(digits) ? '' : r.msg('phone-wrong');
      default:
        return '';
    }
  }

  function checkAll(form) {
    var first = null;
    each(['type', 'category', 'body', 'contact_name', 'contact_phone'], function (name) {
      var problem = check(form, name);
      showFieldError(form, name, problem);
      if (problem && !first) first = name;
    });
    return first;
  }

  function draftName(form) {
    return value(form, 'community') || 'site';
  }

  function saveDraft(form, key) {
    var draft = readDraft(draftName(form)) || {};
    draft.fields = {};
    each(FIELDS, function (name) {
      if (name !== 'community' && name !== 'website') draft.fields[name] = value(form, name);
    });
    draft.key = key || draft.key || newKey();
    draft.saved = new Date().getTime();
    writeDraft(draftName(form), draft);
    return draft;
  }

  function restoreDraft(form) {
    var draft = readDraft(draftName(form));
    if (!draft || !draft.fields) return;
    for (var name in draft.fields) {
      if (Object.prototype.hasOwnProperty.call(draft.fields, name)) setValue(form, name, draft.fields[name]);
    }
    status(form, '已恢复您上次没有提交成功的内容，请检查后再点提交。', 'info');
  }

  function syncAnonymous(form) {
    var anonymous = value(form, 'anonymous') === 'on';
    each(['contact_name', 'contact_phone'], function (name) {
      each(field(form, name), function (el) { el.disabled = anonymous; });
      if (anonymous) showFieldError(form, name, '');
    });
  }

  /* An id this phone keeps, so the server's per-device allowance follows the phone from Wi-Fi to
   * 4G and a shared address (a service hall) is not held to one phone's allowance. */
  function deviceId() {
    var name = 'ydt-device';
    try {
      var id = window.localStorage.getItem(name);
      if (id && /^[0-9a-f]{32}$/.test(id)) return id;
      id = newKey().replace(/[^0-9a-f]/g, '').slice(0, 32);
      if (id.length === 32) window.localStorage.setItem(name, id);
      return id.length === 32 ? id : null;
    } catch (e) {
      return null;
    }
  }

  function payload(form, key) {
    var anonymous = value(form, 'anonymous') === 'on';
    var data = {
      community: value(form, 'community'),
      type: value(form, 'type'),
      category: value(form, 'category'),
      body: value(form, 'body'),
      anonymous: anonymous,
      idempotency_key: key
    };
    var name = trim(value(form, 'contact_name'));
    var phone = trim(value(form, 'contact_phone'));
    if (!anonymous && (name || phone)) data.contact = { name: name || null, phone: phone || null };
    var device = deviceId();
    if (device) data.device = device;
    var record = value(form, 'record');
    if (record) data.record = record;
    if (!anonymous && value(form, 'notify_sms') === 'on') data.notify_sms = true;
    var role = value(form, 'on_behalf_role');
    if (role) data.on_behalf = { role: role, name: trim(value(form, 'on_behalf_name')) || null };
    var honeypot = value(form, 'website');
    if (honeypot) data.website = honeypot;
    return data;
  }

  function post(url, data, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', url, true);
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.timeout = 20000;
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      done(xhr.status, body, xhr.getResponseHeader('Retry-After'));
    };
    xhr.onerror = xhr.ontimeout = function () { done(0, null, null); };
    xhr.send(JSON.stringify(data));
  }

  function group(code) {
    return String(code).replace(/(\d{4})(?=\d)/g, '$1 ');
  }

  function copyText(text, button) {
    function done(ok) {
      button.textContent = ok ? '已复制' : '复制失败，请手抄';
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { fallback(); });
    } else {
      fallback();
    }
    function fallback() {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'absolute';
      area.style.left = '-9999px';
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok);
    }
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function showReceipt(form, receipt, kind, repeated) {
    var box = element('section', 'ydt-receipt');
    box.setAttribute('role', 'status');
    box.appendChild(element('h2', '', '您的' + (TYPE_LABELS[kind] || '意见') + '已收到' +
      (repeated ? '（重复提交不会重复登记）' : '')));
    box.appendChild(element('p', 'ydt-receipt-label', '案件编号'));
    box.appendChild(element('p', 'ydt-big', receipt.case_id));
    box.appendChild(element('p', 'ydt-receipt-label', '查询码'));
    box.appendChild(element('p', 'ydt-big', group(receipt.query_code)));
    box.appendChild(element('p', '', '请抄下或截图保存案件编号和查询码。凭这两个号码可以在查询页查看办理情况和答复。' + rules(form).msg('query-code-lost')));

    var actions = element('p', 'ydt-actions');
    var copy = element('button', '', '复制编号和查询码');
    copy.type = 'button';
    copy.onclick = function () {
      copyText('案件编号 ' + receipt.case_id + ' 查询码 ' + receipt.query_code, copy);
    };
    var print = element('button', '', '打印');
    print.type = 'button';
    print.onclick = function () { window.print(); };
    actions.appendChild(copy);
    actions.appendChild(document.createTextNode(' '));
    actions.appendChild(print);
    box.appendChild(actions);

    var facts = element('dl', 'ydt-facts');
    each([['状态', receipt.status], ['办理单位', receipt.routed_to], ['答复期限', receipt.due_date + ' 前']], function (pair) {
      facts.appendChild(element('dt', '', pair[0]));
      facts.appendChild(element('dd', '', pair[1]));
    });
    box.appendChild(facts);
    if (receipt.status === '已转办') {
      box.appendChild(element('p', '', '这件事不属于本社区的受理范围，已转给' + receipt.routed_to + '办理。'));
    }

    // Leaving before writing the code down loses it for good: ask first.
    var noted = false;
    function warn(event) {
      if (noted) return undefined;
      var text = '您还没有确认记下查询码，离开后无法再看到。';
      (event || window.event).returnValue = text;
      return text;
    }
    window.addEventListener('beforeunload', warn);
    var confirmLabel = element('label', 'ydt-noted');
    var confirmBox = document.createElement('input');
    confirmBox.type = 'checkbox';
    confirmLabel.appendChild(confirmBox);
    confirmLabel.appendChild(document.createTextNode(' 我已记下查询码'));
    box.appendChild(confirmLabel);
    var next = element('p', 'ydt-next');
    next.style.display = 'none';
    var track = element('a', '', '以后在这里查询办理情况');
    track.href = '/track/';
    next.appendChild(track);
    box.appendChild(next);
    confirmBox.onchange = function () {
      noted = confirmBox.checked;
      next.style.display = noted ? '' : 'none';
    };

    form.style.display = 'none';
    form.parentNode.insertBefore(box, form);
    if (box.scrollIntoView) box.scrollIntoView();
  }

  function focusField(form, name) {
    var first = field(form, name)[0];
    if (!first) return;
    if (first.scrollIntoView) first.scrollIntoView();
    if (first.focus) first.focus();
  }

  /* Only the categories that the chosen type may use are offered (data-types on each option);
   * a category no longer offered is unchosen. Options are rebuilt, not hidden: old WebViews
   * ignore display:none on an <option>. */
  function filterCategories(form, all) {
    var select = field(form, 'category')[0];
    if (!select || !all.length) return;
    var type = value(form, 'type');
    var chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    var kept = false;
    each(all, function (option) {
      var types = ' ' + (option.getAttribute('data-types') || '') + ' ';
      if (!type || types.indexOf(' ' + type + ' ') >= 0) {
        select.appendChild(option);
        if (option.value === chosen) kept = true;
      }
    });
    select.value = kept ? chosen : '';
  }

  /* `?category=…&record=…` from a record page: that category chosen, and the record sent along. */
  function applyQuery(form) {
    var query = window.location.search.replace(/^\?/, '').split('&');
    each(query, function (pair) {
      var parts = pair.split('=');
      var name, text;
      try {
        name = decodeURIComponent(parts[0] || '');
        text = decodeURIComponent((parts[1] || '').replace(/\+/g, ' '));
      } catch (e) {
        return; // a mangled link: the form works as if it had no query
      }
      if (name === 'category' && text) setValue(form, 'category', text);
      if (name === 'record' && /^[a-z0-9-]{1,80}$/.test(text) && !field(form, 'record').length) {
        var hidden = document.createElement('input');
        hidden.type = 'hidden';
        hidden.name = 'record';
        hidden.value = text;
        form.appendChild(hidden);
      }
    });
  }

  /* 字数 n/2000 under the text, so nothing is cut without a word. */
  function counter(form) {
    var area = field(form, 'body')[0];
    var r = rules(form);
    if (!area || !r.bodyMax) return function () {};
    var note = element('p', 'hint ydt-count');
    note.id = 'ydt-count-body';
    note.setAttribute('aria-live', 'polite');
    area.parentNode.insertBefore(note, area.nextSibling);
    var described = area.getAttribute('aria-describedby');
    area.setAttribute('aria-describedby', (described ? described + ' ' : '') + note.id);
    function update() {
      var n = charCount(trim(area.value));
      note.textContent = '字数 ' + n + '/' + r.bodyMax + (n > r.bodyMax ? '（超出 ' + (n - r.bodyMax) + ' 字，请删减）' : '');
      note.className = 'hint ydt-count' + (n > r.bodyMax ? ' ydt-count-over' : '');
    }
    update();
    return update;
  }

  function enhance(form) {
    var composing = false;
    var sending = false;
    // The minifier drops `type=submit` (a button's default): any button not marked type=button.
    var button = form.querySelector('button:not([type=button]), input[type=submit]');
    // The checks below speak Chinese beside each field; the browser's own bubbles (in the
    // phone's language, gone in a second) stay for when this script does not run.
    form.setAttribute('novalidate', '');
    var select = field(form, 'category')[0];
    var categories = [];
    if (select) {
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value) categories.push(select.options[i]);
      }
    }
    applyQuery(form);
    restoreDraft(form);
    filterCategories(form, categories);
    syncAnonymous(form);
    var updateCount = counter(form);

    // Check a field only once the input method is done: mid-pinyin text is not the answer yet.
    function onInput(event) {
      var target = event.target;
      if (!target || !target.name) return;
      if (target.name === 'anonymous') syncAnonymous(form);
      if (target.name === 'type') filterCategories(form, categories);
      if (target.name === 'body') updateCount();
      saveDraft(form);
      if (composing) return;
      if (target.getAttribute('aria-invalid') === 'true') showFieldError(form, target.name, check(form, target.name));
    }
    form.addEventListener('compositionstart', function () { composing = true; });
    form.addEventListener('compositionend', function (event) {
      composing = false;
      onInput(event);
    });
    form.addEventListener('input', onInput);
    form.addEventListener('change', onInput);
    form.addEventListener('blur', function (event) {
      var target = event.target;
      if (!composing && target && target.name) showFieldError(form, target.name, check(form, target.name));
    }, true);

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (sending) return;
      var problem = checkAll(form);
      if (problem) {
        status(form, '请按提示修改后再提交。', 'error');
        focusField(form, problem);
        return;
      }
      var draft = saveDraft(form);
      var data = payload(form, draft.key);
      var attempt = 0;
      sending = true;
      if (button) button.disabled = true;
      status(form, '正在提交……', 'info');

      function finish() {
        sending = false;
        if (button) button.disabled = false;
      }

      function send() {
        post(form.getAttribute('action') || '/api/submissions', data, function (code, body, retryAfter) {
          if ((code === 201 || code === 200) && body && body.case_id) {
            dropDraft(draftName(form));
            finish();
            status(form, '', '');
            showReceipt(form, body, data.type, code === 200);
            return;
          }
          if (code === 0 || code === 503 || code === 502 || code === 504) {
            if (attempt < RETRY_DELAYS.length) {
              var wait = RETRY_DELAYS[attempt++];
              var seconds = parseInt(retryAfter, 10);
              if (seconds > 0) wait = Math.max(wait, seconds * 1000);
              status(form, '网络不太好，正在重试（第 ' + attempt + ' 次）……您的内容已保存在本机。', 'info');
              window.setTimeout(send, wait);
              return;
            }
            finish();
            status(form, '暂时提交不上。内容已保存在本机，请稍后再点“提交”，不会重复登记。', 'error');
            return;
          }
          finish();
          if (code === 429) {
            var minutes = Math.max(1, Math.ceil((parseInt(retryAfter, 10) || 600) / 60));
            status(form, '提交太频繁，请 ' + minutes + ' 分钟后再试。内容已保存在本机。', 'error');
            return;
          }
          var message = body && body.error ? body.error : '提交没有成功（错误 ' + code + '），请稍后再试。';
          // The server's word goes beside its field, and the resident is taken there.
          status(form, message, 'error');
          if (body && body.field && showFieldError(form, body.field, message)) focusField(form, body.field);
        });
      }
      send();
    });
  }

  function start() {
    each(document.querySelectorAll('form[data-ydt-form]'), enhance);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
